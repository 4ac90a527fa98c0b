import type { FingerprintKey } from '../domain/fingerprint.js';
import type { AffectedProfile } from '../events/change-feed.js';
import { lookupInStates } from '../events/profile-lookup.js';
import type { RegistryState } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { changeRowSealed, readChangeRowsWithHashes } from './change-feed-store.js';
import type { RowSealer } from '../domain/row-seal.js';
import { loadRegistryState } from './load-registry-state.js';
import { documentOf, stackFingerprintOf } from './project-registry.js';
import { LIVE_TABLES } from './projection-schema.js';

/**
 * Once a store gets its fingerprint key (the first open by a version with keys), every digest a
 * reader sees is made again under it: the fingerprint and ETag of each document row (from the
 * rows themselves: the events are not replayed, so a store whose chain is broken keeps its
 * evidence), and the fingerprints the change feed recorded, which are history and cannot be
 * computed again: each is replaced by a keyed digest of itself (equal ones stay equal), and the
 * row sealed again. Fingerprints therefore change once, on that upgrade.
 */
export const redigestOnUpgrade = async (db: SqlExecutor, key: FingerprintKey, seal: RowSealer): Promise<void> => {
  const registries = await db.all<{ slug: string }>(`SELECT slug FROM ${LIVE_TABLES.headers}`);
  const states = new Map<string, RegistryState | undefined>();
  for (const { slug } of registries) states.set(slug, await loadRegistryState(db, slug));
  const fingerprintOf = stackFingerprintOf(key, lookupInStates(states));
  for (const state of states.values()) {
    if (!state?.live) continue;
    for (const profile of state.profiles.values()) {
      const document = documentOf(state, profile, fingerprintOf);
      await db.run(`UPDATE ${LIVE_TABLES.documents} SET fingerprint = $1, etag = $2 WHERE registry = $3 AND slug = $4`, [
        document.fingerprint,
        document.etag,
        state.slug,
        profile.content.slug,
      ]);
    }
  }
  for await (const row of readChangeRowsWithHashes(db)) {
    if (row.hash === undefined) continue; // its event is gone: left as evidence, as verify reports it
    const affected = (JSON.parse(row.affected_json) as AffectedProfile[]).map((entry) => ({
      ...entry,
      fingerprint: entry.fingerprint === null ? null : `sha256:${key.digest(`before keys ${entry.fingerprint}`)}`,
    }));
    const json = JSON.stringify(affected);
    await db.run('UPDATE change_affected SET affected_json = $1, seal = $2 WHERE position = $3', [
      json,
      seal(changeRowSealed(row.position, row.hash, json)),
      row.position,
    ]);
  }
};
