import { parse } from 'fast-querystring';

const MEMO_ENTRIES = 256;
const MEMO_QUERY_LENGTH = 256;

type ParsedQuery = Record<string, unknown>;

const allStrings = (query: ParsedQuery): boolean => {
  for (const name in query) if (typeof query[name] !== 'string') return false;
  return true;
};

/**
 * Fastify's query string parser (fast-querystring, find-my-way's default) keeping the last query
 * strings' results, frozen: a parse adds each name, a string sliced from the URL, to a new object,
 * a store V8 makes in its runtime (about 1,100 instructions of a `?registry=` read); a kept query
 * is the string's hash and one map lookup. A query with a repeated name (an array) or a long one is
 * parsed each time; past MEMO_ENTRIES strings the memo starts again.
 */
export const memoizedQueryParser = (): ((query: string) => ParsedQuery) => {
  let memo = new Map<string, ParsedQuery>();
  return (query) => {
    if (query.length === 0) return {};
    const known = memo.get(query);
    if (known !== undefined) return known;
    const parsed = parse(query);
    if (query.length > MEMO_QUERY_LENGTH || !allStrings(parsed)) return parsed;
    if (memo.size >= MEMO_ENTRIES) memo = new Map();
    memo.set(query, Object.freeze(parsed));
    return parsed;
  };
};
