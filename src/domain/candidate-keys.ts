/**
 * The matches of a global pattern of the shape `"(…hint…)"\s*:` over JSON text (the candidate keys
 * of secrets.ts: a quoted text holding a hint, then a colon), the same ones and in the same order
 * as `text.matchAll(pattern)`, found without running the pattern from every quote: it can match
 * only at a quote whose closing quote (the first one not escaped) is followed by `\s*:`, so it is
 * tried, sticky, only there, once per distinct key text. Run over the whole text, the pattern's
 * lazy loop tried every hint at every character of every string, values included (docs/BENCHMARKS.md,
 * round eight: writes8).
 *
 * `candidateAt` (flags `iy`) is the pattern itself, sticky. `found` is called with each match's
 * group 1 until it returns true. `atQuote` is asked at every quote of the text (escaped ones too)
 * but those of a key (its opening quote, the escaped ones inside, its closing quote followed by
 * `\s*:`); its true ends the walk as well: a test of a value's start made in the same pass
 * instead of another scan of the text.
 */

const COLON_AFTER = /\s*:/y;

export const BACKSLASH = 92;
const COLON = 58;

/** Whether `code` may start what `\s` matches (tab to carriage return, space, and code points from U+00A0 up). */
export const maySpace = (code: number): boolean => code === 32 || (code >= 9 && code <= 13) || code >= 0xa0;

/** The first quote after `open` that is not escaped (escapes paired from `open + 1`), or -1; `next` is the first quote after `open`. */
const closingQuote = (text: string, open: number, next: number): number => {
  for (let at = next; at !== -1; at = text.indexOf('"', at + 1)) {
    let before = at - 1;
    while (before > open && text.charCodeAt(before) === BACKSLASH) before -= 1;
    if ((at - 1 - before) % 2 === 0) return at;
  }
  return -1;
};

const colonFrom = (text: string, from: number): boolean => {
  COLON_AFTER.lastIndex = from;
  return COLON_AFTER.test(text);
};

/** Whether `atQuote` holds at a quote from `from` on. */
const someQuoteFrom = (text: string, from: number, atQuote: (text: string, quote: number) => boolean): boolean => {
  for (let quote = from; quote !== -1; quote = text.indexOf('"', quote + 1)) if (atQuote(text, quote)) return true;
  return false;
};

/** A key's verdict by its text between the quotes: whether the pattern matches at its opening quote (it then captures that text). */
export interface CandidateMemo {
  readonly verdicts: Map<string, boolean>;
  readonly limit: number;
}

export const candidateMemo = (limit = 10_000): CandidateMemo => ({ verdicts: new Map(), limit });

/**
 * `memo` keeps, by a key's text, whether the pattern matched at its opening quote: past the quotes
 * the pattern reads only that text (and the colon checked here), so the same text gets the same verdict.
 */
export const someCandidateKey = (
  text: string,
  candidateAt: RegExp,
  memo: CandidateMemo,
  found: (raw: string) => boolean,
  atQuote: (text: string, quote: number) => boolean = () => false,
): boolean => {
  for (let open = text.indexOf('"'), next = text.indexOf('"', open + 1); open !== -1; open = next, next = text.indexOf('"', open + 1)) {
    const close = closingQuote(text, open, next);
    if (close === -1) return someQuoteFrom(text, open, atQuote);
    const after = text.charCodeAt(close + 1);
    if (after !== COLON && !(maySpace(after) && colonFrom(text, close + 1))) {
      if (atQuote(text, open)) return true;
      continue;
    }
    const raw = text.slice(open + 1, close);
    let matches = memo.verdicts.get(raw);
    if (matches === undefined) {
      candidateAt.lastIndex = open;
      matches = candidateAt.exec(text) !== null;
      if (memo.verdicts.size >= memo.limit) memo.verdicts.clear();
      memo.verdicts.set(raw, matches);
    }
    if (!matches) continue;
    if (found(raw)) return true;
    // the global pattern goes on after its match: after the colon (`atQuote` skips the key's
    // quotes: what follows its closing one is `\s*:`, no value's start)
    COLON_AFTER.lastIndex = close + 1;
    COLON_AFTER.test(text);
    next = text.indexOf('"', COLON_AFTER.lastIndex);
  }
  return false;
};
