import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { candidateMemo, someCandidateKey } from '../../src/domain/candidate-keys.js';
import { generateProfiles } from '../../bench/lib/generate-data.js';

/** The candidate-key pattern of secrets.ts over `hints`, global (the reference) and sticky (what the scan tries). */
const patterns = (hints: string) => {
  const source = `"((?:[^"\\\\]|\\\\.)*?(?:${hints})(?:[^"\\\\]|\\\\.)*)"\\s*:`;
  return { global: new RegExp(source, 'gi'), candidateAt: new RegExp(source, 'iy') };
};
/** Verdicts kept across texts, as secrets.ts keeps them (small, so that it is also emptied now and then). */
const shared = new Map<string, ReturnType<typeof candidateMemo>>();
const sharedMemo = (hints: string) => shared.get(hints) ?? shared.set(hints, candidateMemo(50)).get(hints)!;
const DEFAULT_HINTS = 'key|secret|token|pass|credential|auth|bearer|cookie|session';

const expectSameMatches = (text: string, hints = DEFAULT_HINTS) => {
  const { global, candidateAt } = patterns(hints);
  const expected = [...text.matchAll(global)].map((match) => match[1]);
  for (const memo of [candidateMemo(), sharedMemo(hints)]) {
    const found: string[] = [];
    expect(someCandidateKey(text, candidateAt, memo, (raw) => (found.push(raw), false))).toBe(false);
    expect(found).toEqual(expected);
  }
  // `atQuote` is asked at every quote but those of a key (its opening quote, the escaped ones inside, its
  // closing quote followed by `\s*:`): at every value's opening quote; its true ends the walk
  const asked = new Set<number>();
  someCandidateKey(text, candidateAt, candidateMemo(), () => false, (_text, quote) => (asked.add(quote), false));
  const escaped = (quote: number) => /(?:^|[^\\])(?:\\\\)*\\$/.test(text.slice(0, quote));
  const KEY = /"(?:[^"\\]|\\[^])*"\s*:/y;
  const opensKey = (quote: number) => ((KEY.lastIndex = quote), KEY.test(text));
  const ofKey = (quote: number) => escaped(quote) || /^"\s*:/.test(text.slice(quote)) || opensKey(quote);
  const quotes = [...text.matchAll(/"/g)].map((match) => match.index);
  for (const quote of quotes) if (!asked.has(quote)) expect(ofKey(quote)).toBe(true);
  const valueQuote = quotes.find((quote) => !ofKey(quote));
  expect(someCandidateKey(text, candidateAt, candidateMemo(), () => false, (_text, quote) => quote === valueQuote)).toBe(valueQuote !== undefined);
  // and it stops at the first the caller takes
  if (expected.length > 0) {
    const seen: string[] = [];
    expect(someCandidateKey(text, candidateAt, sharedMemo(hints), (raw) => (seen.push(raw), raw === expected.at(-1)))).toBe(true);
    expect(seen).toEqual(expected.slice(0, expected.indexOf(expected.at(-1)!) + 1));
  }
};

/** A small seeded generator (mulberry32). */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

describe('candidate keys found at the quotes where the pattern can match', () => {
  it('finds what the global pattern finds in the profile documents the benches write', () => {
    for (const profile of generateProfiles(200, 3)) expectSameMatches(JSON.stringify({ profile, secrets: { api_key: 'x', 'a\\"token': 1 } }));
  });

  it('finds what the global pattern finds in the role profiles, compact and indented', () => {
    const roles: unknown = JSON.parse(readFileSync(new URL('../fixtures/role-profiles.json', import.meta.url), 'utf8'));
    expectSameMatches(JSON.stringify(roles));
    expectSameMatches(JSON.stringify(roles, null, 2));
  });

  it('agrees on escaped quotes, runs of backslashes, keys that start with a colon, spaces before the colon, line breaks after a backslash', () => {
    for (const text of [
      '{"a":"x,",":token":1}',
      '{"v":"say \\"token\\": no","token":2}',
      '{"k\\\\":1,"tok\\\\\\"en":2,"\\\\token\\\\":3}',
      '{"\\token":1,"\\bearer":2,"\\nkey":3}',
      '{"token" \u00a0\u2028 :1,"key"\t:2,"key" x:3}',
      '"token\\\n":1 "key":2',
      '"a" token ":1',
      'no quotes at all, token',
      '"unterminated token',
      '{"":1,"token":"key":"x"}',
      '{"tokenkey": {"passkey": ["auth", {"cookie": "session"}]}}',
    ]) {
      expectSameMatches(text);
    }
  });

  it('agrees on 3,000 random texts of quotes, backslashes, colons, spaces and hint letters, and with an operator hint', () => {
    const alphabet = ['"', '"', '"', '\\', '\\', ':', ':', ' ', '\n', '\u00a0', ',', '{', 'token', 'KEY', 'x', 'pass', 'se', 'ssion', 'nu', 'll'];
    const random = seeded(29);
    for (let n = 0; n < 3000; n++) {
      const length = 1 + Math.floor(random() * 40);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      expectSameMatches(text);
      expectSameMatches(text, `${DEFAULT_HINTS}|null|x`);
    }
  });
});
