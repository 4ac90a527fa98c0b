import type { FingerprintKey } from '../domain/fingerprint.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { contentFingerprintAtPosition } from './fingerprint-at-point.js';
import { profileHistory, type ProfileHistoryEntry, type ProfileVersion } from './profile-history.js';
import { commandEndEvent } from './time-travel.js';

/**
 * A profile's history page whose fingerprints are those of the effective runtime at each version:
 * for a stacked profile, its stack as every registry it reaches stood right after that version's
 * write (what `GET ?version=N` and the change feed carry). Only the page's stacked versions cost a fold.
 */
export const effectiveProfileHistory = async (
  executor: SqlExecutor,
  key: FingerprintKey,
  registry: string,
  slug: string,
  versions: ProfileVersion[],
  options: { limit?: number; beforeVersion?: number } = {},
): Promise<ProfileHistoryEntry[]> => {
  const entries = profileHistory(key, registry, slug, versions, options);
  const byVersion = new Map(versions.map((version) => [version.version, version]));
  for (const entry of entries) {
    const version = byVersion.get(entry.version);
    if (!version?.content || version.content.stack.length === 0) continue;
    const end = await commandEndEvent(executor, version.event);
    entry.fingerprint = await contentFingerprintAtPosition(executor, key, registry, version.content, end.position);
  }
  return entries;
};
