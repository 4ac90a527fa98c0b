/**
 * Secrets in profiles (API.md section 5): values under keys that name a secret, in the parts of a
 * profile that carry settings (`runtime.step_settings_patch`, `extensions`, middleware `config`),
 * are stored as written and shown as "***" unless revealed. A write that sends "***" back for
 * such a value keeps the stored one, so that a client can round-trip what it read.
 */

export const REDACTED = '***';

const SECRET_WORDS = new Set(['secret', 'secrets', 'token', 'password', 'passwd', 'apikey', 'privatekey']);

const judgedKeys = new Map<string, boolean>();
const MAX_JUDGED_KEYS = 10_000;

/** `openai-api-key`, `client_secret`, `accessToken`, `APIKey`, `password`: yes; `max_tokens`, `tokenizer`: no. */
export const isSecretKey = (key: string): boolean => {
  let judged = judgedKeys.get(key);
  if (judged === undefined) {
    judged = namesSecret(key);
    if (judgedKeys.size >= MAX_JUDGED_KEYS) judgedKeys.clear();
    judgedKeys.set(key, judged);
  }
  return judged;
};

const namesSecret = (key: string): boolean => {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  for (let index = 0; index < words.length; index++) {
    const word = words[index];
    if (SECRET_WORDS.has(word)) return true;
    if ((word === 'api' || word === 'private') && words[index + 1] === 'key') return true;
  }
  return /apikey|privatekey/.test(words.join(''));
};

/** Paths (from the value's root) below which settings live; `*` matches any key or index. */
export type SecretAreas = readonly (readonly string[])[];

const PROFILE: SecretAreas = [['extensions'], ['runtime', 'step_settings_patch'], ['runtime', 'middlewares', '*', 'config']];
const under = (prefix: readonly string[], areas: SecretAreas): SecretAreas => areas.map((area) => [...prefix, ...area]);

/** Where secrets sit in each shape the API shows. */
export const SECRET_AREAS = {
  /** A profile document, stored profile, profile content or content view. */
  profile: PROFILE,
  /** A list of profile summaries. */
  summaries: [['*', 'extensions']] as SecretAreas,
  /** A registry payload or a registry content view. */
  registry: under(['profiles', '*'], PROFILE),
  /** An effective runtime (resolve). */
  runtime: [['step_settings_patch'], ['middlewares', '*', 'config']] as SecretAreas,
  /** The extensions of a profile alone. */
  extensions: [[]] as SecretAreas,
  /** A list of events as the events route shows them. */
  events: under(['*', 'data', 'content'], PROFILE),
  /** An import / export bundle. */
  bundle: under(['registries', '*', 'profiles', '*'], PROFILE),
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

/** Whether the value at `path` is a secret: inside an area, below a key that names one. */
export const isSecretPath = (areas: SecretAreas, path: Path): boolean => {
  const start = areaStart(areas, path);
  if (start === undefined) return false;
  for (let index = start; index < path.length; index++) {
    const key = path[index];
    if (typeof key === 'string' && isSecretKey(key)) return true;
  }
  return false;
};

const mask = (value: unknown): unknown => (value === null || value === undefined || value === '' ? value : REDACTED);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Rebuilds containers only where a child changed; own `__proto__` keys stay data (Object.fromEntries). */
const mapChildren = (value: object, visit: (child: unknown, key: string | number) => unknown): unknown => {
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((child, index) => {
      const next = visit(child, index);
      if (next !== child) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  let changed = false;
  const entries = Object.entries(value).map(([key, child]) => {
    const next = visit(child, key);
    if (next !== child) changed = true;
    return [key, next] as const;
  });
  return changed ? Object.fromEntries(entries) : value;
};

/** A copy of `value` (the part at `at`) with every secret shown as "***"; the same object when there is none. */
export const redactSecrets = <T>(value: T, areas: SecretAreas, at: Path = []): T => {
  if (isSecretPath(areas, at)) return mask(value) as T;
  const path: (string | number)[] = [...at];
  // below the root, a node is a secret when it is in an area and its own key names one (its parents' did not)
  const walk = (node: unknown): unknown => {
    if (!isObject(node)) return node;
    const start = areaStart(areas, path);
    if (start === undefined && !leadsToArea(areas, path)) return node;
    return mapChildren(node, (child, key) => {
      path.push(key);
      const inArea = start !== undefined || areaStart(areas, path) !== undefined;
      const next = inArea && typeof key === 'string' && isSecretKey(key) && isSecretPath(areas, path) ? mask(child) : walk(child);
      path.pop();
      return next;
    });
  };
  return walk(value) as T;
};

/** Text that may name a secret; anything else (most profiles) needs no parse. */
const MAY_NAME_SECRET = /secret|token|passw|api.?key|private.?key/i;
const OBJECT_KEY = /"((?:[^"\\]|\\.)*)"\s*:/g;
const CANDIDATE_KEY = /"((?:[^"\\]|\\.)*?(?:secret|token|passw|api.?key|private.?key)(?:[^"\\]|\\.)*)"\s*:/gi;

/** Whether any object key in the JSON text names a secret (`max_tokens` alone does not). */
const hasSecretKey = (json: string): boolean => {
  // a key written with \u escapes may spell a secret's name: then every key is looked at
  const escaped = json.includes('\\u');
  if (!escaped && !MAY_NAME_SECRET.test(json)) return false;
  for (const match of json.matchAll(escaped ? OBJECT_KEY : CANDIDATE_KEY)) {
    const raw = match[1];
    const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    if (isSecretKey(key)) return true;
  }
  return false;
};

/** `redactSecrets` over JSON text; the same text when nothing is redacted. */
export const redactJson = (json: string, areas: SecretAreas): string => {
  if (!hasSecretKey(json)) return json;
  const value: unknown = JSON.parse(json);
  const redacted = redactSecrets(value, areas);
  return redacted === value ? json : JSON.stringify(redacted);
};

const unescapePointer = (segment: string): string => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** RFC 6902 operations with secret values shown as "***" (a changed secret still shows as a change). */
export const redactChanges = <Op extends { path: string; value?: unknown }>(changes: readonly Op[], areas: SecretAreas): Op[] =>
  changes.map((change) => {
    if (!('value' in change)) return change;
    const at = change.path === '' ? [] : change.path.slice(1).split('/').map(unescapePointer);
    const value = redactSecrets(change.value, areas, at);
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

/**
 * `incoming` with every "***" at a secret path replaced by the value stored at the same place
 * (kept as written when nothing is stored there).
 */
export const keepStoredSecrets = <T>(incoming: T, stored: unknown, areas: SecretAreas, at: Path = []): T => {
  const walk = (node: unknown, before: unknown, path: (string | number)[]): unknown => {
    if (node === REDACTED && isSecretPath(areas, path)) return before === undefined ? node : before;
    if (!isObject(node) || !isObject(before)) return node;
    if (areaStart(areas, path) === undefined && !leadsToArea(areas, path)) return node;
    const isMiddlewareList = Array.isArray(node) && Array.isArray(before) && String(path[path.length - 1]) === 'middlewares';
    return mapChildren(node, (child, key) => {
      const storedChild = isMiddlewareList
        ? storedMiddleware(before as unknown[], child, key as number)
        : (before as Record<string | number, unknown>)[key];
      return walk(child, Object.hasOwn(before, key) || isMiddlewareList ? storedChild : undefined, [...path, key]);
    });
  };
  return walk(incoming, stored, [...at]) as T;
};
