import { touch } from '../events/evolve.js';
import { REPLACED_CONTENT } from '../events/event-store.js';
import type { StoredEvent } from '../events/event-types.js';
import type { FingerprintKey } from '../domain/fingerprint.js';
import { loadReachableStates, lookupInStates, stackedRegistries } from '../events/profile-lookup.js';
import type { ProfileState, RegistryState } from '../events/registry-state.js';
import { storedEventFromRow } from '../events/stored-event-row.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { registryRowValuesOf, stackFingerprintOf, type RegistryRowValues } from './project-registry.js';

/**
 * A stream as the rebuild's fold left it (rebuild.ts): its state, where a profile whose last
 * content the fold left unread holds REPLACED_CONTENT (see SegmentFoldEvents) and `unread` names
 * the stream version of that content event; `stampUnread` when the fold took the metadata of the
 * stream's last event unread (UNREAD_METADATA).
 */
export interface FoldedStream {
  state: RegistryState | undefined;
  /** The stream's recorded head. */
  version: number;
  unread: ReadonlyMap<string, number>;
  stampUnread: boolean;
}

/** The event at `version` of a stream, read back whole (the fold took its content or its metadata unread). */
const readEvent = async (tx: SqlExecutor, streamId: string, version: number): Promise<StoredEvent | undefined> => {
  const record = await tx.events.readRecord(streamId, version);
  return record && storedEventFromRow(record);
};

/** The state with the registry's stamp as the event at its version left it, when the fold took that event's metadata unread. */
export const withStampRead = async (tx: SqlExecutor, state: RegistryState, stampUnread: boolean): Promise<RegistryState> => {
  if (!stampUnread) return state;
  const event = await readEvent(tx, state.slug, state.version);
  if (!event) throw new Error(`rebuild: ${state.slug} has no event at version ${state.version}`);
  return { ...state, stamp: touch(state.stamp, event) };
};

/**
 * A stream folded to its head: the registry's version is the stream's, and a profile whose last
 * content the fold left unread gets it, and its stamp, from its last content event; the
 * registry's stamp comes from its last event if the fold took that event's metadata unread.
 */
export const endOfFold = async (tx: SqlExecutor, streamId: string, { state: folded, version, unread, stampUnread }: FoldedStream): Promise<RegistryState | undefined> => {
  if (!folded) return undefined;
  const toRead = [...folded.profiles].filter(([, profile]) => profile.content === REPLACED_CONTENT);
  if (toRead.length === 0) return withStampRead(tx, { ...folded, version }, stampUnread);
  const profiles = new Map(folded.profiles);
  // in stream order, which is the log's: the reads walk the table forward
  const versionOf = ([slug]: [string, ProfileState]) => unread.get(slug) ?? 0;
  for (const [slug, profile] of toRead.sort((a, b) => versionOf(a) - versionOf(b))) {
    const at = unread.get(slug);
    const event = at === undefined ? undefined : await readEvent(tx, streamId, at);
    if (event?.type !== 'profile.created' && event?.type !== 'profile.updated') throw new Error(`rebuild: ${streamId}/${slug} kept content it skipped`);
    profiles.set(slug, { ...profile, content: event.data.content, stamp: touch(profile.stamp, event) });
  }
  return withStampRead(tx, { ...folded, version, profiles }, stampUnread);
};

/**
 * The rows of each registry at the end of a rebuild's fold, on whichever thread reads the events
 * (the transaction's, or a worker's: registry-rows-aside.ts). A fingerprint resolves its stack
 * across the registries it reaches (undefined: a registry without a stream): their states are
 * completed once (endOfFold) and kept for the registries after it; any other is let go once its
 * rows are computed.
 */
export const finalRows = (tx: SqlExecutor, key: FingerprintKey, folded: ReadonlyMap<string, FoldedStream>) => {
  const completed = (streamId: string): Promise<RegistryState | undefined> => {
    const stream = folded.get(streamId);
    return stream ? endOfFold(tx, streamId, stream) : Promise.resolve(undefined);
  };
  const bases = new Map<string, Promise<RegistryState | undefined>>();
  const baseOf = (streamId: string): Promise<RegistryState | undefined> => {
    let state = bases.get(streamId);
    if (!state) bases.set(streamId, (state = completed(streamId)));
    return state;
  };
  return async (streamId: string): Promise<RegistryRowValues | undefined> => {
    const state = await (bases.get(streamId) ?? completed(streamId));
    if (!state) return undefined;
    const reachable = new Map<string, RegistryState | undefined>([[streamId, state]]);
    await loadReachableStates(stackedRegistries(state), reachable, baseOf);
    return registryRowValuesOf(state, stackFingerprintOf(key, lookupInStates(reachable)));
  };
};
