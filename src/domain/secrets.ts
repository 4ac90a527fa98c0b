import { BACKSLASH, candidateMemo, maySpace, someCandidateKey } from './candidate-keys.js';
import { sameContent } from './same-content.js';
import { type FieldError, secretsToReenter } from './errors.js';

/**
 * The one secret detector (API.md section 5, docs/SECURITY.md "Secrets"). Every path that shows
 * a profile (HTTP answers, the CLI, exports, logs, the console through the API) and every digest
 * of one (fingerprints, ETags) asks it. Inside the parts of a profile that carry settings
 * (`runtime.step_settings_patch`, `extensions`, middleware `config`) a secret is:
 * - the value under a key that names one (`openai-api-key`, `Authorization`, `credentials`, …,
 *   plus the names the operator adds with `--secret-keys`), whatever it holds, at any depth;
 * - a string that starts with `Bearer ` or `Basic `, under any key or in any array;
 * - the password of a URL (`postgres://user:password@host`): only that part is one.
 * Secrets are stored as written and shown as "***" (a URL as `scheme://user:***@host`) unless
 * revealed. A write that sends a mask back keeps the stored value, but only when nothing else in
 * the same object changed: a mask cannot carry a secret to a new place or a new server.
 */

export const REDACTED = '***';

/** Words (a key split at case changes and at `-`, `_`, `.`, spaces) that name a secret on their own. */
const SECRET_WORDS = new Set([
  'key',
  'apikey',
  'secret',
  'secrets',
  'token',
  'password',
  'passwords',
  'passwd',
  'privatekey',
  'clientsecret',
  'accesskey',
  'credential',
  'credentials',
  'auth',
  'authorization',
  'bearer',
  'cookie',
  'cookies',
  'session',
]);

/** Spellings that name a secret inside a longer run of words (`db_pass_word`, `openaiapikey`); `tokens` (a count) is not one. */
const SECRET_INFIX = /passw(?:or)?d|apikey|privatekey|accesskey|clientsecret|accesstoken|authtoken|refreshtoken/;

/** A piece of text every key that may name a secret contains (so that JSON text without one needs no parse). */
const KEY_HINTS = ['key', 'secret', 'token', 'pass', 'credential', 'auth', 'bearer', 'cookie', 'session'];

const wordsOf = (key: string): string[] =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');

let operatorNames: string[][] = [];
let operatorHints: string[] = [];

const judgedKeys = new Map<string, boolean>();
const MAX_JUDGED_KEYS = 10_000;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const hintPattern = (): string => [...KEY_HINTS, ...operatorHints].map(escapeRegExp).join('|');
/** A key holding a hint: `"…hint…"` then a colon (sticky: tried at the keys of a text), and its verdicts by key text. */
const patternsOf = (hints: string) => ({
  candidateAt: new RegExp(`"((?:[^"\\\\]|\\\\.)*?(?:${hints})(?:[^"\\\\]|\\\\.)*)"\\s*:`, 'iy'),
  memo: candidateMemo(MAX_JUDGED_KEYS),
});
let KEY_PATTERNS = patternsOf(hintPattern());

/**
 * The names the operator adds (`--secret-keys`): a key names a secret when its words contain a
 * name's words in a row (`x-goog-sig` also finds `X_GOOG_SIG` and `xGoogSig`). Replaces the names
 * given before; the process's detector is one for every path.
 */
export const useOperatorSecretKeys = (names: readonly string[]): void => {
  operatorNames = names.map(wordsOf).filter((words) => words.length > 0);
  operatorHints = operatorNames.map((words) => words[0]);
  KEY_PATTERNS = patternsOf(hintPattern());
  judgedKeys.clear();
};

const containsInARow = (words: string[], name: string[]): boolean => {
  for (let start = 0; start + name.length <= words.length; start++) {
    if (name.every((word, index) => words[start + index] === word)) return true;
  }
  return false;
};

const namesSecret = (key: string): boolean => {
  const words = wordsOf(key);
  if (words.some((word) => SECRET_WORDS.has(word))) return true;
  const joined = words.join('');
  if (SECRET_INFIX.test(joined)) return true;
  return operatorNames.some((name) => containsInARow(words, name) || joined === name.join(''));
};

/** `openai-api-key`, `Authorization`, `client_secret`, `accessToken`, `APIKey`, `cookie`: yes; `max_tokens`, `tokenizer`, `keyboard`: no. */
export const isSecretKey = (key: string): boolean => {
  let judged = judgedKeys.get(key);
  if (judged === undefined) {
    judged = namesSecret(key);
    if (judgedKeys.size >= MAX_JUDGED_KEYS) judgedKeys.clear();
    judgedKeys.set(key, judged);
  }
  return judged;
};

/** `Bearer …` / `Basic …` (any case): an HTTP credential, whatever key holds it. */
const CREDENTIAL_VALUE = /^\s*(?:bearer|basic)\s/i;
/** `scheme://user:password@`: the password is group 2. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"]*:)([^\s/?#@"]+)@/gi;
const MASKED_URL_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"]*:\*\*\*@/i;

const hasUrlPassword = (text: string): boolean => {
  // most values hold no '@': they skip matchAll, which clones the pattern on every call
  if (!text.includes('@')) return false;
  for (const match of text.matchAll(URL_PASSWORD)) if (match[2] !== REDACTED) return true;
  return false;
};

/** The text with the password of every URL in it shown as "***" (`postgres://app:***@db/x`). */
export const maskUrlPasswords = (text: string): string => text.replace(URL_PASSWORD, (_all, head: string) => `${head}${REDACTED}@`);

/** How a value inside a settings area is a secret by what it holds, if it is one. */
type ValueSecret = 'credential' | 'url';

const valueSecretOf = (value: unknown): ValueSecret | undefined => {
  if (typeof value !== 'string') return undefined;
  if (CREDENTIAL_VALUE.test(value)) return 'credential';
  if (hasUrlPassword(value)) return 'url';
  return undefined;
};

/** Paths (from the value's root) below which settings live; `*` matches any key or index. */
export type SecretAreas = readonly (readonly string[])[];

// an extension's key (`vendor.auth@v1`) names a feature, not a setting: its value is where names count
const PROFILE: SecretAreas = [['extensions', '*'], ['runtime', 'step_settings_patch'], ['runtime', 'middlewares', '*', 'config']];
const under = (prefix: readonly string[], areas: SecretAreas): SecretAreas => areas.map((area) => [...prefix, ...area]);

/** Where secrets sit in each shape the API shows. */
export const SECRET_AREAS = {
  /** A profile document, stored profile, profile content or content view. */
  profile: PROFILE,
  /** A list of profile summaries. */
  summaries: [['*', 'extensions', '*']] as SecretAreas,
  /** A registry payload or a registry content view. */
  registry: under(['profiles', '*'], PROFILE),
  /** An effective runtime (resolve). */
  runtime: [['step_settings_patch'], ['middlewares', '*', 'config']] as SecretAreas,
  /** The extensions of a profile alone. */
  extensions: [['*']] as SecretAreas,
  /** A list of events as the events route shows them. */
  events: under(['*', 'data', 'content'], PROFILE),
  /** An import / export bundle. */
  bundle: under(['registries', '*', 'profiles', '*'], PROFILE),
  /** Anything at all (a log line's fields): every key and value is looked at. */
  everywhere: [[]] as SecretAreas,
} as const;

type Path = readonly (string | number)[];

const matches = (area: readonly string[], path: Path, length: number): boolean => {
  for (let index = 0; index < length; index++) {
    if (area[index] !== '*' && area[index] !== String(path[index])) return false;
  }
  return true;
};

/** Where the area holding `path` begins (its length), or undefined when `path` is in none. */
const areaStart = (areas: SecretAreas, path: Path): number | undefined =>
  areas.find((area) => path.length >= area.length && matches(area, path, area.length))?.length;

/** Whether walking below `path` may still reach an area. */
const leadsToArea = (areas: SecretAreas, path: Path): boolean =>
  areas.some((area) => path.length < area.length && matches(area, path, path.length));

/** Whether the value at `path` is a secret by its name: inside an area, below a key that names one. */
export const isSecretPath = (areas: SecretAreas, path: Path): boolean => {
  const start = areaStart(areas, path);
  if (start === undefined) return false;
  for (let index = start; index < path.length; index++) {
    const key = path[index];
    if (typeof key === 'string' && isSecretKey(key)) return true;
  }
  return false;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Rebuilds containers only where a child changed; own `__proto__` keys stay data (Object.fromEntries).
 * Nothing is allocated until a child changes: most walks (a fingerprint's, an answer's) change nothing.
 */
const mapChildren = (value: object, visit: (child: unknown, key: string | number) => unknown): unknown => {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const child: unknown = value[index];
      const next = visit(child, index);
      if (out === undefined && next !== child) out = value.slice(0, index);
      out?.push(next);
    }
    return out ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let entries: [string, unknown][] | undefined;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index];
    const child = record[key];
    const next = visit(child, key);
    if (entries === undefined && next !== child) entries = keys.slice(0, index).map((before) => [before, record[before]]);
    entries?.push([key, next]);
  }
  return entries ? Object.fromEntries(entries) : value;
};

/** What a secret is found as: the whole value under a secret name, a credential value, or a URL with a password. */
export type SecretKind = 'named' | ValueSecret;

/**
 * `value` (the part at `at`) with every secret replaced by `replace(kind, secret)`; the same
 * object when there is none. Nothing outside the areas is looked at.
 */
export const replaceSecrets = <T>(value: T, areas: SecretAreas, replace: (kind: SecretKind, secret: unknown) => unknown, at: Path = []): T => {
  const path: (string | number)[] = [...at];
  const visit = (node: unknown, named: boolean): unknown => {
    const start = areaStart(areas, path);
    if (start !== undefined) {
      if (named) return replace('named', node);
      const kind = valueSecretOf(node);
      if (kind !== undefined) return replace(kind, node);
    }
    if (!isObject(node)) return node;
    if (start === undefined && !leadsToArea(areas, path)) return node;
    return mapChildren(node, (child, key) => {
      path.push(key);
      const next = visit(child, typeof key === 'string' && isSecretKey(key) && isSecretPath(areas, path));
      path.pop();
      return next;
    });
  };
  return visit(value, isSecretPath(areas, path)) as T;
};

const mask = (kind: SecretKind, value: unknown): unknown => {
  if (value === null || value === undefined || value === '') return value;
  return kind === 'url' ? maskUrlPasswords(value as string) : REDACTED;
};

/** A copy of `value` (the part at `at`) with every secret shown as "***"; the same object when there is none. */
export const redactSecrets = <T>(value: T, areas: SecretAreas, at: Path = []): T => replaceSecrets(value, areas, mask, at);

/** At a quote of JSON text: a string starting as `CREDENTIAL_VALUE` does, its spaces also written as escapes (`"\\tBearer x"`). */
const CREDENTIAL_AT = /"(?:\s|\\[tnrf])*(?:bearer|basic)(?:\s|\\[tnrf])/iy;
const B = 98;

const mayStartCredential = (json: string, quote: number): boolean => {
  const first = json.charCodeAt(quote + 1);
  if ((first | 0x20) !== B && first !== BACKSLASH && !maySpace(first)) return false;
  CREDENTIAL_AT.lastIndex = quote;
  return CREDENTIAL_AT.test(json);
};

/** `://` then what `URL_PASSWORD` needs after its scheme (sticky: tried where a `://` is). */
const URL_PASSWORD_AT = /:\/\/[^\s/?#@:"]*:[^\s/?#@"]+@/y;

const mayHoldUrlPassword = (json: string): boolean => {
  for (let at = json.indexOf('://'); at !== -1; at = json.indexOf('://', at + 3)) {
    URL_PASSWORD_AT.lastIndex = at;
    if (URL_PASSWORD_AT.test(json)) return true;
  }
  return false;
};

/** Whether JSON text may hold a secret: a key that may name one, a credential value, a URL password, or \u escapes. */
const mayHoldSecret = (json: string): boolean => {
  if (json.includes('\\u') || mayHoldUrlPassword(json)) return true;
  return someCandidateKey(
    json,
    KEY_PATTERNS.candidateAt,
    KEY_PATTERNS.memo,
    (raw) => isSecretKey(raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw),
    mayStartCredential,
  );
};

/** `redactSecrets` over JSON text; the same text when nothing is redacted. */
export const redactJson = (json: string, areas: SecretAreas): string => {
  if (!mayHoldSecret(json)) return json;
  const value: unknown = JSON.parse(json);
  const redacted = redactSecrets(value, areas);
  return redacted === value ? json : JSON.stringify(redacted);
};

/** A JSON pointer's segments. */
const segmentsOf = (pointer: string): string[] =>
  pointer === '' ? [] : pointer.slice(1).split('/').map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));

const pointerOf = (path: Path): string => path.map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** RFC 6902 operations with secret values shown as "***" (a changed secret still shows as a change). */
export const redactChanges = <Op extends { path: string; value?: unknown }>(changes: readonly Op[], areas: SecretAreas): Op[] =>
  changes.map((change) => {
    if (!('value' in change)) return change;
    const value = redactSecrets(change.value, areas, segmentsOf(change.path));
    return value === change.value ? change : { ...change, value };
  });

/** The stored counterpart of a middleware: same id, else same name without id, else same place. */
const storedMiddleware = (stored: unknown[], item: unknown, index: number): unknown => {
  if (isObject(item)) {
    const found = stored.find((each) =>
      isObject(each) && (item.id !== undefined ? each.id === item.id : each.id === undefined && each.name === item.name),
    );
    if (found !== undefined) return found;
  }
  return stored[index];
};

const NOTHING_STORED = 'a secret sent as "***" must be re-entered: nothing is stored there';
const OBJECT_CHANGED = 'a secret sent as "***" must be re-entered: another value of its object changed';
const URL_CHANGED = 'a URL sent with its password as "***" must be re-entered: the rest of the URL changed';

/** Whether a string anywhere in `value` holds "***" (every mask does: a secret's, a URL password's). */
const holdsMask = (value: unknown): boolean => {
  if (typeof value === 'string') return value.includes(REDACTED);
  if (!isObject(value)) return false;
  for (const child of Array.isArray(value) ? value : Object.values(value)) if (holdsMask(child)) return true;
  return false;
};

/**
 * `incoming` with every mask written back (`"***"` for a secret, `scheme://user:***@host` for a
 * URL's password) replaced by the value stored at the same place, and the secrets to re-enter:
 * a mask where nothing is stored, a mask in an object where another value changed (the mask
 * would take the secret somewhere else: a new base URL beside a kept key), a masked URL whose
 * other parts changed. `pointer` names the paths of `incoming` in the errors.
 */
export const restoreStoredSecrets = <T>(
  incoming: T,
  stored: unknown,
  areas: SecretAreas,
  pointer = '',
): { value: T; reenter: FieldError[] } => {
  // only a value holding a mask can be restored or refused: most writes hold none, and skip the walk
  if (!holdsMask(incoming)) return { value: incoming, reenter: [] };
  const reenter: FieldError[] = [];
  const refuse = (path: Path, message: string) => reenter.push({ path: `${pointer}${pointerOf(path)}`, message });
  /** The value to keep for `node`, and whether it is a stored secret that a mask stood for. */
  const walk = (node: unknown, before: unknown, path: (string | number)[]): { value: unknown; restored: boolean } => {
    const inArea = areaStart(areas, path) !== undefined;
    // a mask where nothing is stored stands for a secret found by its value just as well (a redacted export's header)
    if (inArea && node === REDACTED && (before === undefined || isSecretPath(areas, path) || valueSecretOf(before) === 'credential')) {
      if (before === undefined || before === null || before === '' || before === REDACTED) {
        refuse(path, NOTHING_STORED);
        return { value: node, restored: false };
      }
      return { value: before, restored: true };
    }
    if (inArea && typeof node === 'string' && MASKED_URL_PASSWORD.test(node) && node !== before) {
      if (typeof before === 'string' && before !== maskUrlPasswords(before) && maskUrlPasswords(before) === node) {
        return { value: before, restored: true };
      }
      refuse(path, typeof before === 'string' && hasUrlPassword(before) ? URL_CHANGED : NOTHING_STORED);
      return { value: node, restored: false };
    }
    if (!isObject(node)) return { value: node, restored: false };
    if (!inArea && !leadsToArea(areas, path)) return { value: node, restored: false };
    const beforeObject = isObject(before) && Array.isArray(before) === Array.isArray(node) ? before : undefined;
    const isMiddlewareList = Array.isArray(node) && Array.isArray(beforeObject) && String(path[path.length - 1]) === 'middlewares';
    const restoredKeys: (string | number)[] = [];
    const value = mapChildren(node, (child, key) => {
      const storedChild =
        beforeObject === undefined
          ? undefined
          : isMiddlewareList
            ? storedMiddleware(beforeObject as unknown[], child, key as number)
            : Object.hasOwn(beforeObject, key)
              ? (beforeObject as Record<string | number, unknown>)[key]
              : undefined;
      path.push(key);
      const next = walk(child, storedChild, path);
      path.pop();
      if (next.restored) restoredKeys.push(key);
      return next.value;
    }) as Record<string | number, unknown>;
    if (restoredKeys.length > 0 && !isMiddlewareList && !sameExcept(value, beforeObject, restoredKeys)) {
      for (const key of restoredKeys) refuse([...path, key], OBJECT_CHANGED);
    }
    return { value, restored: false };
  };
  const { value } = walk(incoming, stored, []);
  return { value: value as T, reenter };
};

/** Whether `after` and `before` hold the same values under every key but `except` (which hold restored secrets). */
const sameExcept = (after: Record<string | number, unknown>, before: unknown, except: (string | number)[]): boolean => {
  if (!isObject(before)) return false;
  const skip = new Set(except.map(String));
  const keys = new Set([...Object.keys(after), ...Object.keys(before)]);
  for (const key of keys) {
    if (skip.has(key)) continue;
    if (!sameContent((after as Record<string, unknown>)[key], (before as Record<string, unknown>)[key])) return false;
  }
  return true;
};


/** `restoreStoredSecrets`, refusing the write when a secret must be re-entered. */
export const keepStoredSecrets = <T>(incoming: T, stored: unknown, areas: SecretAreas, pointer = ''): T => {
  const { value, reenter } = restoreStoredSecrets(incoming, stored, areas, pointer);
  if (reenter.length > 0) throw secretsToReenter(reenter);
  return value;
};

/** Free text (a log message, an error line) with credentials after `Bearer `/`Basic ` and URL passwords shown as "***". */
export const redactText = (text: string): string =>
  maskUrlPasswords(text).replace(/\b(bearer|basic)(\s+)[^\s"',;]+/gi, (_all, scheme: string, space: string) => `${scheme}${space}${REDACTED}`);

const isPlainContainer = (value: unknown): value is object =>
  Array.isArray(value) || (isObject(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value)));

/**
 * A log line's fields with every secret shown as "***": values under secret names, credentials
 * and URL passwords in any string, in plain objects and arrays at any depth (up to 32; objects of
 * classes, such as a request, are left to their serializers).
 */
export const redactLogFields = <T>(fields: T): T => {
  const walk = (value: unknown, depth: number, named: boolean): unknown => {
    if (named) return mask('named', value);
    if (typeof value === 'string') return redactText(value);
    if (!isPlainContainer(value) || depth > 32) return value;
    return mapChildren(value, (child, key) => walk(child, depth + 1, typeof key === 'string' && isSecretKey(key)));
  };
  return walk(fields, 0, false) as T;
};
