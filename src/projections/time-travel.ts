import { registryNotFound, registryVersionNotFound } from '../domain/errors.js';
import type { StoredEvent } from '../events/event-types.js';
import { aggregateStream } from '../events/aggregate-stream.js';
import { profileVersionAfter, type RegistryState } from '../events/registry-state.js';
import { foldEvents } from '../events/evolve.js';
import { nearestSnapshot, sqlSnapshotStore } from '../events/snapshots.js';
import type { SqlExecutor } from '../events/sql-database.js';

/** A point in a registry's past: a stream version, or a time (epoch ms). */
export type PastPoint = { version: number } | { atMs: number };

export interface TimeTravelOptions {
  /** False folds from the first event (to prove snapshots change no answer). */
  useSnapshots?: boolean;
}

/** The stream version a point names; a time after the last event names the head. */
export const streamVersionOf = async (executor: SqlExecutor, registry: string, point: PastPoint): Promise<number> =>
  'version' in point ? point.version : executor.events.streamVersionAt(registry, point.atMs);

/**
 * A registry as it was right after stream version `version`: the nearest snapshot at or before
 * it, then a fold of the events after the snapshot. Undefined before the first event.
 */
export const registryStateAtVersion = async (
  executor: SqlExecutor,
  registry: string,
  version: number,
  options: TimeTravelOptions = {},
): Promise<RegistryState | undefined> => {
  if (version <= 0) return undefined;
  const snapshots = options.useSnapshots === false ? undefined : sqlSnapshotStore(executor);
  return aggregateStream(executor.events, registry, { toVersion: version, snapshots });
};

export const registryStateAt = async (
  executor: SqlExecutor,
  registry: string,
  point: PastPoint,
  options: TimeTravelOptions = {},
): Promise<RegistryState | undefined> =>
  registryStateAtVersion(executor, registry, await streamVersionOf(executor, registry, point), options);

const sameCommand = (a: StoredEvent, b: StoredEvent): boolean =>
  a.metadata.request_id === b.metadata.request_id && a.metadata.occurred_at_ms === b.metadata.occurred_at_ms;

/**
 * The last event of the command that wrote `event`: a read right after that write saw all of the
 * command's events (a create that also sets the default is two events).
 */
export const commandEndEvent = async (executor: SqlExecutor, event: StoredEvent): Promise<StoredEvent> => {
  const chunk = 8; // most commands write one or two events
  let end = event;
  for (;;) {
    const next = await executor.events.readStream(event.stream_id, { fromVersion: end.stream_version + 1, toVersion: end.stream_version + chunk });
    for (const candidate of next) {
      if (!sameCommand(event, candidate)) return end;
      end = candidate;
    }
    if (next.length < chunk) return end;
  }
};

/** Some of a registry's profiles, whether it is live and its default profile: a registry state without the rest. */
export type ProfilesView = Pick<RegistryState, 'slug' | 'live' | 'default_profile_slug' | 'profiles'>;

/**
 * Profiles `slugs` of a registry as they were right after stream version `version`: the nearest
 * snapshot's refs of those profiles, then a fold of the events after it that are the registry's
 * own or theirs. It costs those profiles and the events since the snapshot, not the registry's
 * other profiles (a snapshot of 500 profiles read back 500 contents) nor its history.
 */
export const profilesAtVersion = async (
  executor: SqlExecutor,
  registry: string,
  version: number,
  slugs: readonly string[],
): Promise<ProfilesView | undefined> => {
  if (version <= 0) return undefined;
  const snapshot = await nearestSnapshot(executor, registry, version, new Set(slugs));
  const after = await executor.events.readStream(registry, {
    fromVersion: (snapshot?.version ?? 0) + 1,
    toVersion: version,
    profiles: slugs.map((slug) => [slug, profileVersionAfter(snapshot, slug)] as const),
  });
  return foldEvents(after, registry, snapshot);
};

/** The write that gave profile `slug` its version `version` (undefined if none did): its command's last event. */
export const profileVersionWrite = async (executor: SqlExecutor, registry: string, slug: string, version: number): Promise<StoredEvent | undefined> => {
  const [event] = await executor.events.readProfileEventsAt(registry, [[slug, version]]);
  return event && commandEndEvent(executor, event);
};

export const streamHeadVersion = async (executor: SqlExecutor, registry: string): Promise<number> =>
  (await executor.events.streamHead(registry)).version;

/**
 * The stream version a point names, refusing points the registry never had: before its first
 * event (404 registry not found) or a version past its head.
 */
export const requirePastVersion = async (executor: SqlExecutor, registry: string, point: PastPoint): Promise<number> => {
  const head = await streamHeadVersion(executor, registry);
  const version = await streamVersionOf(executor, registry, point);
  if (head === 0 || version === 0) throw registryNotFound();
  if (version > head) throw registryVersionNotFound(version);
  return version;
};
