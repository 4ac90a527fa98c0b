import type { ProfileVersionRef } from '../event-store.js';
import type { SqlStatements } from '../sql-database.js';
import { PROFILE_VERSION_EVENTS, profileOfData, profileVersionOfData } from './profile-columns.js';

/**
 * Of each profile `[slug, from]` (`from` a version written by `fromVersion`, or 0), the last
 * version written at or before stream version `toVersion`, in one statement. A profile's versions
 * grow with the stream's, and between two stream versions it has at most as many versions as the
 * stream has events, so each is found by halving [from, from + that many] with lookups on the
 * profile index of the first version at or above the middle: about log2 of the range's length
 * lookups, where a walk down from the top read every version written after `toVersion` (a hot
 * profile's later updates, up to the range's length of them).
 */
export const lastProfileVersionsIn = async (
  sql: SqlStatements,
  streamId: string,
  toVersion: number,
  fromVersion: number,
  profiles: readonly ProfileVersionRef[],
): Promise<number[]> => {
  if (profiles.length === 0) return [];
  const params: unknown[] = [streamId, toVersion];
  const param = (value: unknown): string => `$${params.push(value)}`;
  const version = profileVersionOfData(sql.flavour);
  const halvings = profiles.map(([profile, from], index) => {
    const to = Math.min(from + (toVersion - fromVersion + 1), Number.MAX_SAFE_INTEGER);
    const slug = param(profile);
    // where the first version at or above `middle` was written (NULL: none is)
    const writtenAt = (middle: string) => `(SELECT stream_version FROM events WHERE stream_id = $1 AND ${profileOfData(sql.flavour)} = ${slug}
        AND ${version} >= ${middle} AND type IN ${PROFILE_VERSION_EVENTS} ORDER BY ${version} LIMIT 1)`;
    // each row carries where its middle was written, so each step makes one lookup
    const [lo, hi] = ['CASE WHEN written <= $2 THEN (lo + hi + 1) / 2 ELSE lo END', 'CASE WHEN written <= $2 THEN hi ELSE (lo + hi + 1) / 2 - 1 END'];
    const [first, last] = [`CAST(${param(from)} AS ${sql.flavour.bigint})`, `CAST(${param(to)} AS ${sql.flavour.bigint})`];
    return `(WITH RECURSIVE halving(lo, hi, written) AS (
      SELECT ${first}, ${last}, ${writtenAt(`(${first} + ${last} + 1) / 2`)}
      UNION ALL
      SELECT ${lo}, ${hi}, ${writtenAt(`((${lo}) + (${hi}) + 1) / 2`)}
      FROM halving WHERE lo < hi
    ) SELECT lo FROM halving WHERE lo >= hi LIMIT 1) AS last_${index}`;
  });
  const row = await sql.get<Record<string, number | string>>(`SELECT ${halvings.join(', ')}`, params);
  return profiles.map((_, index) => Number(row?.[`last_${index}`]));
};
