import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';

// the package is CommonJS whose typings declare an ES default export; at run time the default is the function
const canonicalize = canonicalizeModule as unknown as (value: unknown) => string | undefined;

/** RFC 8785 (JCS) canonical JSON: sorted keys, no white space, ECMAScript number form. */
export const canonicalJson = (value: unknown): string => canonicalize(value) ?? 'null';

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

// states keep their content objects unchanged, so each one is canonicalized once
const canonicalCache = new WeakMap<object, string>();

const cachedCanonicalJson = (value: unknown): string => {
  if (typeof value !== 'object' || value === null) return canonicalJson(value);
  let json = canonicalCache.get(value);
  if (json === undefined) {
    json = canonicalJson(value);
    canonicalCache.set(value, json);
  }
  return json;
};

/** Whether two JSON values say the same thing, whatever the order of their keys. */
export const sameContent = (a: unknown, b: unknown): boolean => cachedCanonicalJson(a) === cachedCanonicalJson(b);
