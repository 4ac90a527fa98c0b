import type { ProfileState, RegistryState } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { SNAPSHOT_TABLE } from './snapshot-schema.js';
import { profileStateOf, storedProfileJson, type StoredProfileShape } from './registry-serialization.js';

/** Events a registry may move past its last snapshot before the next one is taken. */
export const DEFAULT_SNAPSHOT_EVERY = 100;

/**
 * A snapshot is the registry's state as JSON: its fields, then `profiles` as `[slug, stored
 * profile]` entries in slug order (each profile in its stored form, API.md section 1, the very
 * string the projection already holds) and `tombstones` as `[slug, version]` entries. Snapshots
 * written before this form held each profile as its ProfileState; both are read.
 */
interface SerializedState extends Omit<RegistryState, 'profiles' | 'tombstones'> {
  profiles: [string, StoredProfileShape | ProfileState][];
  tombstones: [string, number][];
}

const bySlug = <T>(entries: Iterable<[string, T]>): [string, T][] => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export const serializeRegistryState = (state: RegistryState): string => {
  const { profiles, tombstones, ...fields } = state;
  const profileEntries = bySlug(profiles)
    .map(([slug, profile]) => `[${JSON.stringify(slug)},${storedProfileJson(profile)}]`)
    .join(',');
  const fieldsJson = JSON.stringify(fields);
  return `${fieldsJson.slice(0, -1)},"profiles":[${profileEntries}],"tombstones":${JSON.stringify(bySlug(tombstones))}}`;
};

const profileStateOfEntry = (entry: StoredProfileShape | ProfileState): ProfileState =>
  'content' in entry ? entry : profileStateOf(entry);

export const deserializeRegistryState = (json: string): RegistryState => {
  const parsed = JSON.parse(json) as SerializedState;
  const profiles = new Map(parsed.profiles.map(([slug, entry]) => [slug, profileStateOfEntry(entry)]));
  return { ...parsed, profiles, tombstones: new Map(parsed.tombstones) };
};

export const writeSnapshot = async (tx: SqlExecutor, state: RegistryState): Promise<void> => {
  await tx.run(
    `INSERT INTO ${SNAPSHOT_TABLE} (stream_id, stream_version, state_json) VALUES (?, ?, ?)
     ON CONFLICT (stream_id, stream_version) DO UPDATE SET state_json = excluded.state_json`,
    [state.slug, state.version, serializeRegistryState(state)],
  );
};

const lastSnapshotVersion = async (executor: SqlExecutor, registry: string): Promise<number> => {
  const row = await executor.get<{ version: number | string | null }>(
    `SELECT MAX(stream_version) AS version FROM ${SNAPSHOT_TABLE} WHERE stream_id = ?`,
    [registry],
  );
  return Number(row?.version ?? 0);
};

/**
 * Takes a snapshot of a registry once it moved `every` events or more past its last one, or as
 * many events as it has profiles if that is more: a snapshot costs the size of the registry, so
 * the interval grows with it, which keeps the cost per event flat, and a read of the past costs
 * at most twice the size of the registry. The last version is remembered per registry (read
 * once from the table): if a transaction rolls back after a snapshot, the next one merely comes
 * later, and a snapshot written twice by two processes is the same row.
 */
export const createSnapshotTaker = (every: number) => {
  const lastVersion = new Map<string, number>();
  return async (tx: SqlExecutor, state: RegistryState): Promise<void> => {
    if (every <= 0) return;
    let last = lastVersion.get(state.slug);
    if (last === undefined) {
      last = await lastSnapshotVersion(tx, state.slug);
      lastVersion.set(state.slug, last);
    }
    if (state.version - last < Math.max(every, state.profiles.size)) return;
    await writeSnapshot(tx, state);
    lastVersion.set(state.slug, state.version);
  };
};

/** The latest snapshot of a registry at or before `maxVersion`. */
export const nearestSnapshot = async (
  executor: SqlExecutor,
  registry: string,
  maxVersion: number,
): Promise<RegistryState | undefined> => {
  const row = await executor.get<{ state_json: string }>(
    `SELECT state_json FROM ${SNAPSHOT_TABLE} WHERE stream_id = ? AND stream_version <= ?
     ORDER BY stream_version DESC LIMIT 1`,
    [registry, maxVersion],
  );
  return row ? deserializeRegistryState(row.state_json) : undefined;
};

export const deleteSnapshots = async (tx: SqlExecutor): Promise<void> => {
  await tx.run(`DELETE FROM ${SNAPSHOT_TABLE}`);
};
