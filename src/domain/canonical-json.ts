import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';

// the package is CommonJS whose typings declare an ES default export; at run time the default is the function
const canonicalize = canonicalizeModule as unknown as (value: unknown) => string | undefined;

/** RFC 8785 (JCS) canonical JSON: sorted keys, no white space, ECMAScript number form. */
export const canonicalJson = (value: unknown): string => canonicalize(value) ?? 'null';

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

// browser code (the console) uses it through secrets.ts: it lives apart from node:crypto
export { sameContent } from './same-content.js';
