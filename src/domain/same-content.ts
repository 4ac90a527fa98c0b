/**
 * Whether two JSON values say the same thing, whatever the order of their keys (a key whose value
 * is undefined counts as absent, as in JSON). Walks both at once and stops at the first difference.
 */
export const sameContent = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameContent(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let leftKeys = 0;
  for (const key in left) {
    if (!Object.hasOwn(left, key) || left[key] === undefined) continue;
    leftKeys += 1;
    if (!Object.hasOwn(right, key) || !sameContent(left[key], right[key])) return false;
  }
  let rightKeys = 0;
  for (const key in right) if (Object.hasOwn(right, key) && right[key] !== undefined) rightKeys += 1;
  return leftKeys === rightKeys;
};
