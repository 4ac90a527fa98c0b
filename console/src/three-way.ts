// A conflict resolved by a three-way merge: base (the version the form was loaded from), theirs
// (the server's version now) and mine (the form). Only what I changed is carried over onto theirs;
// a place both changed differently is a conflict the user settles, never a silent revert.
import type { EditableProfile } from './profile-body.js';

export interface MergeConflict {
  /** JSON pointer of the place both sides changed. */
  path: string;
  base: unknown;
  mine: unknown;
  theirs: unknown;
}

export interface Merged {
  /** Theirs with my changes applied, every conflict taking theirs until the user chooses. */
  value: Record<string, unknown>;
  conflicts: MergeConflict[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Merges plain objects key by key; arrays and scalars are values (a list changed by both is one conflict). */
const mergeAt = (path: string, base: unknown, mine: unknown, theirs: unknown, conflicts: MergeConflict[]): unknown => {
  if (same(mine, base)) return theirs;
  if (same(theirs, base) || same(mine, theirs)) return mine;
  if (isRecord(mine) && isRecord(theirs) && (base === undefined || isRecord(base))) {
    const baseRecord = (base ?? {}) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(baseRecord), ...Object.keys(mine), ...Object.keys(theirs)])) {
      const value = mergeAt(`${path}/${escape(key)}`, baseRecord[key], mine[key], theirs[key], conflicts);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  conflicts.push({ path, base, mine, theirs });
  return theirs;
};

export const threeWayMerge = (base: EditableProfile, mine: EditableProfile, theirs: EditableProfile): Merged => {
  const conflicts: MergeConflict[] = [];
  const value = mergeAt('', base, mine, theirs, conflicts) as Record<string, unknown>;
  return { value: isRecord(value) ? value : {}, conflicts };
};

const setAt = (target: Record<string, unknown>, path: string, value: unknown): void => {
  const segments = path.split('/').slice(1).map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
  let here = target;
  segments.slice(0, -1).forEach((segment) => {
    if (!isRecord(here[segment])) here[segment] = {};
    here = here[segment] as Record<string, unknown>;
  });
  const last = segments[segments.length - 1]!;
  if (value === undefined) delete here[last];
  else here[last] = value;
};

/** The merged profile once each conflict has its choice ('mine' or 'theirs'). */
export const resolveConflicts = (merged: Merged, choices: Record<string, 'mine' | 'theirs'>): EditableProfile => {
  const value = structuredClone(merged.value);
  for (const conflict of merged.conflicts) if (choices[conflict.path] === 'mine') setAt(value, conflict.path, conflict.mine);
  return value as EditableProfile;
};
