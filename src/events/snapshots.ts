import type { ProfileSignature } from '../domain/profile-signature.js';
import type { StoredEvent } from './event-types.js';
import type { DeepReadonly, ProfileState, RegistryState } from './registry-state.js';
import { SNAPSHOT_TABLE } from './snapshot-schema.js';
import { sortedKeysOf } from './forked-map.js';
import type { SnapshotStore } from './snapshot-store.js';
import type { SqlExecutor } from './sql-database.js';

/** Events a registry may move past its last snapshot before the next one is taken. */
export const DEFAULT_SNAPSHOT_EVERY = 100;

/**
 * The form snapshots are written in. A snapshot is the registry's state as JSON: `format`, its
 * fields, `tombstones` as `[slug, version]` entries, and `profile_refs` as `[slug, version,
 * created_at_ms, created_by]` entries in slug order. A profile's content is not copied: it is the
 * content of the event that gave the profile that version, read back by the event index, and the
 * rest of its stamp is that event's metadata. So a snapshot costs tens of bytes per profile.
 *
 * Earlier forms (each profile whole, as its stored form or as its ProfileState; then refs without
 * `format`) are not read: `profile-registry rebuild` rewrites them in this form
 * (see src/projections/convert-snapshots.ts), and until then reads fold past them.
 */
export const SNAPSHOT_FORMAT = 3;

type ProfileContentEvent = Extract<StoredEvent, { type: 'profile.created' | 'profile.updated' }>;
/** A published profile's ref carries its last signature as a fifth entry. */
type ProfileRef = [slug: string, version: number, createdAtMs: number, createdBy: string, signature?: DeepReadonly<ProfileSignature>];

interface Snapshot extends Omit<RegistryState, 'profiles' | 'tombstones'> {
  format: typeof SNAPSHOT_FORMAT;
  tombstones: [string, number][];
  profile_refs: ProfileRef[];
}

const bySlug = <T>(map: ReadonlyMap<string, T>): [string, T][] => sortedKeysOf(map).map((slug) => [slug, map.get(slug) as T]);

export const snapshotJson = (state: RegistryState): string => {
  const { profiles, tombstones, ...fields } = state;
  const refs: ProfileRef[] = bySlug(profiles).map(([slug, profile]) =>
    profile.signature
      ? [slug, profile.version, profile.stamp.created_at_ms, profile.stamp.created_by, profile.signature]
      : [slug, profile.version, profile.stamp.created_at_ms, profile.stamp.created_by],
  );
  return JSON.stringify({ format: SNAPSHOT_FORMAT, ...fields, tombstones: bySlug(tombstones), profile_refs: refs } satisfies Snapshot);
};

/** The format a snapshot's JSON was written in (1 and 2 held profiles whole; 2 and 3 predate the field). */
export const snapshotFormatOf = (parsed: object): number =>
  'format' in parsed && typeof parsed.format === 'number' ? parsed.format : 'profiles' in parsed ? 1 : 2;

/**
 * Reads a snapshot back into the state it was taken from; undefined for a snapshot of an earlier
 * format (a cache of folds: the caller folds from further back instead). With `only`, the state
 * holds those of its profiles only (the others' content is not read).
 */
export const readSnapshot = async (executor: SqlExecutor, json: string, only?: ReadonlySet<string>): Promise<RegistryState | undefined> => {
  const parsed = JSON.parse(json) as Snapshot;
  if (snapshotFormatOf(parsed) !== SNAPSHOT_FORMAT) return undefined;
  const { format: _format, profile_refs: allRefs, tombstones, ...fields } = parsed;
  const refs = only ? allRefs.filter(([slug]) => only.has(slug)) : allRefs;
  const events = await executor.events.readProfileEventsAt(
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
    profiles.set(slug, {
      content: event.data.content,
      version,
      stamp: {
        created_at_ms: createdAtMs,
        updated_at_ms: metadata.occurred_at_ms,
        created_by: createdBy,
        updated_by: metadata.actor,
        source: metadata.source,
      },
      ...(signature ? { signature } : {}),
    });
  }
  return { ...fields, profiles, tombstones: new Map(tombstones) };
};

export const writeSnapshot = async (tx: SqlExecutor, state: RegistryState): Promise<void> => {
  await tx.run(
    `INSERT INTO ${SNAPSHOT_TABLE} (stream_id, stream_version, state_json) VALUES ($1, $2, $3)
     ON CONFLICT (stream_id, stream_version) DO UPDATE SET state_json = excluded.state_json`,
    [state.slug, state.version, snapshotJson(state)],
  );
};

const lastSnapshotVersion = async (executor: SqlExecutor, registry: string): Promise<number> => {
  const row = await executor.get<{ version: number | string | null }>(
    `SELECT MAX(stream_version) AS version FROM ${SNAPSHOT_TABLE} WHERE stream_id = $1`,
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
  return async (snapshots: SnapshotStore, state: RegistryState): Promise<void> => {
    if (every <= 0) return;
    let last = lastVersion.get(state.slug);
    if (last === undefined) {
      last = await snapshots.lastVersion(state.slug);
      lastVersion.set(state.slug, last);
    }
    if (state.version - last < Math.max(every, state.profiles.size)) return;
    await snapshots.write(state);
    lastVersion.set(state.slug, state.version);
  };
};

/**
 * The latest snapshot of a registry at or before `maxVersion` (undefined if none, or if it is of an
 * earlier format); with `only`, holding those of its profiles only.
 */
export const nearestSnapshot = async (
  executor: SqlExecutor,
  registry: string,
  maxVersion: number = Number.MAX_SAFE_INTEGER,
  only?: ReadonlySet<string>,
): Promise<RegistryState | undefined> => {
  const row = await executor.get<{ state_json: string }>(
    `SELECT state_json FROM ${SNAPSHOT_TABLE} WHERE stream_id = $1 AND stream_version <= $2
     ORDER BY stream_version DESC LIMIT 1`,
    [registry, maxVersion],
  );
  return row ? readSnapshot(executor, row.state_json, only) : undefined;
};

/** The snapshot table seen through one executor. */
export const sqlSnapshotStore = (executor: SqlExecutor): SnapshotStore => ({
  nearest: (registry, maxVersion) => nearestSnapshot(executor, registry, maxVersion),
  lastVersion: (registry) => lastSnapshotVersion(executor, registry),
  write: (state) => writeSnapshot(executor, state),
});

export const deleteSnapshots = async (tx: SqlExecutor): Promise<void> => {
  await tx.run(`DELETE FROM ${SNAPSHOT_TABLE}`);
};
