import type { StoredEvent } from '../events/event-types.js';
import type { ProfileSignature } from '../domain/profile-signature.js';
import type { ProfileState, RegistryState } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { readProfileContentEvents } from '../events/read-profile-events.js';
import { arrayJson, objectJson } from '../domain/json-splicing.js';
import { SNAPSHOT_TABLE } from './snapshot-schema.js';
import { profileStateOf, storedProfileJson, type StoredProfileShape } from './registry-serialization.js';

/** Events a registry may move past its last snapshot before the next one is taken. */
export const DEFAULT_SNAPSHOT_EVERY = 100;

/**
 * A snapshot is the registry's state as JSON: its fields, `tombstones` as `[slug, version]`
 * entries, and `profile_refs` as `[slug, version, created_at_ms, created_by]` entries in slug
 * order. A profile's content is not copied: it is the content of the event that gave the profile
 * that version, read back by the event index, and the rest of its stamp is that event's metadata.
 * So a snapshot costs tens of bytes per profile, not the size of the registry again.
 *
 * Snapshots written in earlier forms held each profile whole (`profiles`: its stored form, or
 * earlier still its ProfileState); they are still read.
 */
type ProfileContentEvent = Extract<StoredEvent, { type: 'profile.created' | 'profile.updated' }>;
/** A published profile's ref carries its last signature as a fifth entry. */
type ProfileRef = [slug: string, version: number, createdAtMs: number, createdBy: string, signature?: ProfileSignature];

interface SnapshotFields extends Omit<RegistryState, 'profiles' | 'tombstones'> {
  tombstones: [string, number][];
}
interface ReferenceSnapshot extends SnapshotFields {
  profile_refs: ProfileRef[];
}
interface WholeStateSnapshot extends SnapshotFields {
  profiles: [string, StoredProfileShape | ProfileState][];
}

const bySlug = <T>(entries: Iterable<[string, T]>): [string, T][] => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const withoutCollections = (state: RegistryState): SnapshotFields => {
  const { profiles: _profiles, tombstones, ...fields } = state;
  return { ...fields, tombstones: bySlug(tombstones) };
};

export const snapshotJson = (state: RegistryState): string => {
  const refs: ProfileRef[] = bySlug(state.profiles).map(([slug, profile]) =>
    profile.signature
      ? [slug, profile.version, profile.stamp.created_at_ms, profile.stamp.created_by, profile.signature]
      : [slug, profile.version, profile.stamp.created_at_ms, profile.stamp.created_by],
  );
  return JSON.stringify({ ...withoutCollections(state), profile_refs: refs } satisfies ReferenceSnapshot);
};

/** The whole state as JSON, every profile in its stored form (for comparing states; also the previous snapshot form). */
export const serializeRegistryState = (state: RegistryState): string => {
  const profileEntries = bySlug(state.profiles).map(([slug, profile]) =>
    arrayJson([JSON.stringify(slug), storedProfileJson(profile), ...(profile.signature ? [JSON.stringify(profile.signature)] : [])]),
  );
  return objectJson([{ spread: JSON.stringify(withoutCollections(state)) }, ['profiles', arrayJson(profileEntries)]]);
};

const profileStateOfEntry = (entry: StoredProfileShape | ProfileState): ProfileState =>
  'content' in entry ? entry : profileStateOf(entry);

const stateOf = (fields: SnapshotFields, profiles: Map<string, ProfileState>): RegistryState => ({
  ...fields,
  profiles,
  tombstones: new Map(fields.tombstones),
});

/** Reads a snapshot of any form back into the state it was taken from. */
export const readSnapshot = async (executor: SqlExecutor, json: string): Promise<RegistryState> => {
  const parsed = JSON.parse(json) as ReferenceSnapshot | WholeStateSnapshot;
  if ('profiles' in parsed) {
    const { profiles, ...fields } = parsed;
    return stateOf(fields, new Map(profiles.map(([slug, entry]) => [slug, profileStateOfEntry(entry)])));
  }
  const { profile_refs: refs, ...fields } = parsed;
  const events = await readProfileContentEvents(
    executor,
    fields.slug,
    refs.map(([slug, version]) => [slug, version] as const),
  );
  const contentEvents = new Map<string, ProfileContentEvent>();
  for (const event of events) {
    if (event.type === 'profile.created' || event.type === 'profile.updated') {
      contentEvents.set(`${event.data.profile}@${event.data.version}`, event);
    }
  }
  const profiles = new Map<string, ProfileState>();
  for (const [slug, version, createdAtMs, createdBy, signature] of refs) {
    const event = contentEvents.get(`${slug}@${version}`);
    if (!event) {
      throw new Error(`snapshot of registry "${fields.slug}" at version ${fields.version} names profile "${slug}" version ${version}, which no event made`);
    }
    const { metadata } = event;
    const profile: ProfileState = {
      content: event.data.content,
      version,
      stamp: {
        created_at_ms: createdAtMs,
        updated_at_ms: metadata.occurred_at_ms,
        created_by: createdBy,
        updated_by: metadata.actor,
        source: metadata.source,
      },
    };
    if (signature) profile.signature = signature;
    profiles.set(slug, profile);
  }
  return stateOf(fields, profiles);
};

export const writeSnapshot = async (tx: SqlExecutor, state: RegistryState): Promise<void> => {
  await tx.run(
    `INSERT INTO ${SNAPSHOT_TABLE} (stream_id, stream_version, state_json) VALUES (?, ?, ?)
     ON CONFLICT (stream_id, stream_version) DO UPDATE SET state_json = excluded.state_json`,
    [state.slug, state.version, snapshotJson(state)],
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
 * many events as it has profiles if that is more: a snapshot costs its number of profiles, so
 * the interval grows with it, which keeps the cost per event flat, and a read of the past reads
 * at most twice as many events as the registry has profiles. The last version is remembered per registry (read
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
  return row ? readSnapshot(executor, row.state_json) : undefined;
};

export const deleteSnapshots = async (tx: SqlExecutor): Promise<void> => {
  await tx.run(`DELETE FROM ${SNAPSHOT_TABLE}`);
};
