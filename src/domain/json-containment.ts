/**
 * PostgreSQL's jsonb containment (`doc @> query`), for SQLite and for filters in memory:
 * - an object contains an object when every key of the query is there, its value contained;
 * - an array contains an array when each element of the query is contained in some element of
 *   the document (order and duplicates do not matter); a scalar element must equal a scalar;
 * - scalars contain equal scalars (numbers by value); a container never contains a scalar, and the
 *   reverse, except that an array contains a bare scalar at the top level (`["a","b"] @> "a"`).
 */
export const jsonContains = (document: unknown, query: unknown): boolean => {
  if (Array.isArray(document) && isScalar(query)) return document.some((element) => isScalar(element) && element === query);
  return contains(document, query);
};

const isScalar = (value: unknown): boolean => value === null || typeof value !== 'object';

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const contains = (document: unknown, query: unknown): boolean => {
  if (Array.isArray(query)) {
    if (!Array.isArray(document)) return false;
    return query.every((wanted) =>
      isScalar(wanted)
        ? document.some((element) => isScalar(element) && element === wanted)
        : document.some((element) => !isScalar(element) && contains(element, wanted)),
    );
  }
  if (isObject(query)) {
    if (!isObject(document)) return false;
    return Object.entries(query).every(([key, wanted]) => Object.hasOwn(document, key) && contains(document[key], wanted));
  }
  return isScalar(document) && document === query;
};
