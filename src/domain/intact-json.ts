import { DomainError } from './errors.js';
import { jsonPointer } from './json-schema-check.js';

/**
 * JSON values enter intact or not at all. JSON.parse turns `1e309` into Infinity (which
 * JSON.stringify then stores as `null`), rounds `9007199254740993` to `9007199254740992`, and a
 * lenient decoder turns invalid UTF-8 into U+FFFD: each would store something the client never
 * sent. This module finds such a value and names it by its JSON pointer.
 */

const fatalDecoder = new TextDecoder('utf-8', { fatal: true });
const lenientDecoder = new TextDecoder('utf-8');

export class UnrepresentableValue extends DomainError {
  constructor(pointer: string, reason: string) {
    super('validation', `validation error (${pointer || '/'}): ${reason}`, { errors: [{ path: pointer || '/', message: reason }] });
  }
}

type Segment = string | number;
type TokenKind = 'key' | 'string' | 'number' | 'literal';

/**
 * Calls `visit` with the path and the [start, end) of every key and scalar of a JSON text that
 * JSON.parse accepted, in order, until `visit` answers true. Iterative: nesting depth costs no stack.
 */
const scanTokens = (text: string, visit: (path: readonly Segment[], kind: TokenKind, start: number, end: number) => boolean): void => {
  const path: Segment[] = [];
  const frames: ('object' | 'array')[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const stringEnd = (from: number): number => {
    let j = from + 1;
    while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  };
  /** Reads `"key":`, pushing the key; true when the visitor stops there. */
  const readKey = (): boolean => {
    skipSpace();
    const start = i;
    const end = stringEnd(i);
    path.push(JSON.parse(text.slice(start, end)) as string);
    if (visit(path, 'key', start, end)) return true;
    i = end;
    skipSpace();
    i++; // the colon
    return false;
  };
  for (;;) {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      skipSpace();
      if (text[i] !== (c === '{' ? '}' : ']')) {
        frames.push(c === '{' ? 'object' : 'array');
        if (c === '[') path.push(0);
        else if (readKey()) return;
        continue;
      }
      i++; // an empty container is a finished value
    } else {
      const start = i;
      let kind: TokenKind;
      if (c === '"') {
        i = stringEnd(i);
        kind = 'string';
      } else {
        while (i < text.length && !',]} \t\n\r'.includes(text[i])) i++;
        kind = c === '-' || (c >= '0' && c <= '9') ? 'number' : 'literal';
      }
      if (visit(path, kind, start, i)) return;
    }
    // a value ended: go on to its next sibling, or close the containers it ends
    for (;;) {
      if (frames.length === 0) return;
      skipSpace();
      const next = text[i++];
      if (next === ',') {
        if (frames[frames.length - 1] === 'array') path[path.length - 1] = (path[path.length - 1] as number) + 1;
        else {
          path.pop();
          if (readKey()) return;
        }
        break;
      }
      frames.pop();
      path.pop();
    }
  }
};

const INTEGER_LITERAL = /^-?\d+$/;

/** Why a number token cannot be kept as a JSON number of this server, if it cannot. */
export const numberTokenProblem = (token: string): string | undefined => {
  const value = Number(token);
  if (!Number.isFinite(value)) return `the number ${token} is beyond the range of a 64-bit float (it would be stored as null)`;
  if (Number.isSafeInteger(value) || !INTEGER_LITERAL.test(token)) return undefined;
  if (BigInt(token) === BigInt(value)) return undefined;
  return `the integer ${token} is beyond 2^53 and would be rounded to ${BigInt(value)} (send it as a string)`;
};

/** Whether a parsed value holds a number that may not be what its text said (the rare case worth a scan). */
const holdsSuspectNumber = (root: unknown): boolean => {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'number') {
      if (!Number.isSafeInteger(node) && (!Number.isFinite(node) || Number.isInteger(node))) return true;
    } else if (typeof node === 'object' && node !== null) {
      for (const key in node) if (Object.hasOwn(node, key)) stack.push((node as Record<string, unknown>)[key]);
    }
  }
  return false;
};

/** Refuses a parsed JSON text whose numbers JSON.parse could not keep as written (non-finite, rounded integers). */
export const refuseInexactNumbers = (text: string, value: unknown): void => {
  if (!holdsSuspectNumber(value)) return;
  let found: UnrepresentableValue | undefined;
  scanTokens(text, (path, kind, start, end) => {
    if (kind !== 'number') return false;
    const problem = numberTokenProblem(text.slice(start, end));
    if (problem !== undefined) found = new UnrepresentableValue(jsonPointer(path), problem);
    return found !== undefined;
  });
  if (found) throw found;
};

/** The byte offset of the first byte of `bytes` that is not part of valid UTF-8, or -1. */
export const firstInvalidUtf8 = (bytes: Uint8Array): number => {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    try {
      fatalDecoder.decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return -1;
};

/**
 * The text of a JSON body. Invalid UTF-8 is refused naming the JSON pointer of the key or string
 * that holds it (when the rest parses as JSON; else the parse error speaks).
 */
export const decodeJsonUtf8 = (bytes: Uint8Array, parse: (text: string) => unknown = JSON.parse): string => {
  try {
    return fatalDecoder.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const text = lenientDecoder.decode(bytes);
    parse(text); // not JSON at all: that is the error to report
    const at = fatalDecoder.decode(bytes.subarray(0, offset)).length;
    let pointer = '';
    scanTokens(text, (path, kind, start, end) => {
      if (end <= at) return false;
      if (kind === 'key' || kind === 'string') pointer = jsonPointer(path);
      return true;
    });
    throw new UnrepresentableValue(pointer, `invalid UTF-8 (byte ${offset} of the body)`);
  }
};

/** JSON.parse for values entering the store: refuses invalid UTF-8 and numbers it could not keep exactly. */
export const parseIntactJson = (bytes: Uint8Array | string): unknown => {
  const text = typeof bytes === 'string' ? bytes : decodeJsonUtf8(bytes);
  const value: unknown = JSON.parse(text);
  refuseInexactNumbers(text, value);
  return value;
};

/** For a parsed YAML document (no token text): refuses numbers that are not finite. Rounding is checked by the caller's reparse. */
export const nonFiniteNumberPointer = (root: unknown): string | undefined => {
  const path: Segment[] = [];
  const visit = (node: unknown): boolean => {
    if (typeof node === 'number') return !Number.isFinite(node);
    if (typeof node !== 'object' || node === null) return false;
    for (const key of Object.keys(node)) {
      path.push(Array.isArray(node) ? Number(key) : key);
      if (visit((node as Record<string, unknown>)[key])) return true;
      path.pop();
    }
    return false;
  };
  return visit(root) ? jsonPointer(path) : undefined;
};
