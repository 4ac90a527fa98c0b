import { profileNotFound, registryNotFound } from '../domain/errors.js';
import type { ProfileState, RegistryState } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { profileVersionNotFound } from './profile-history.js';
import { lookupInStates, stackedRegistries } from '../events/profile-lookup.js';
import { storeFingerprintKey } from './fingerprint-key-store.js';
import { stackFingerprintOf, type FingerprintOf } from './project-registry.js';
import { documentEtag, profileDocumentJson, registryPayloadJson } from './registry-serialization.js';
import {
  registryStateAt,
  registryStateAtProfileVersion,
  registryStateAtVersion,
  requirePastVersion,
  streamHeadVersion,
  type PastPoint,
} from './time-travel.js';

/** Documents as a read returned them at a past point, rendered by the live serializer. */

export interface PastDocument {
  json: string;
  etag: string;
  /** The profile as it was then (a document only). */
  profile?: ProfileState;
}

/**
 * Fingerprints as they were at `atMs`: a profile's stack resolves against every registry it
 * reaches (across registries) as each one was then.
 */
const fingerprintAt = async (executor: SqlExecutor, state: RegistryState, atMs: number): Promise<FingerprintOf> => {
  const states = new Map<string, RegistryState | undefined>([[state.slug, state]]);
  const queue = [...stackedRegistries(state)];
  while (queue.length > 0) {
    const registry = queue.pop() as string;
    if (states.has(registry)) continue;
    const then = await registryStateAt(executor, registry, { atMs }).catch(() => undefined);
    states.set(registry, then);
    queue.push(...stackedRegistries(then));
  }
  return stackFingerprintOf(await storeFingerprintKey(executor), lookupInStates(states));
};

const liveAt = (state: RegistryState | undefined): RegistryState => {
  if (!state?.live) throw registryNotFound();
  return state;
};

/** A profile at its version N (`{version}`) or at a time; 404 where it did not exist. */
export const pastProfileDocument = async (
  executor: SqlExecutor,
  registry: string,
  slug: string,
  point: PastPoint,
  fingerprintOf?: FingerprintOf,
): Promise<PastDocument> => {
  if ((await streamHeadVersion(executor, registry)) === 0) throw registryNotFound();
  let state: RegistryState;
  if ('version' in point) {
    const found = await registryStateAtProfileVersion(executor, registry, slug, point.version);
    if (!found) throw profileVersionNotFound(point.version);
    state = liveAt(found);
  } else {
    state = liveAt(await registryStateAt(executor, registry, point));
  }
  const profile = state.profiles.get(slug);
  if (!profile) throw profileNotFound();
  const atMs = 'atMs' in point ? point.atMs : state.stamp.updated_at_ms;
  const fingerprintThen = fingerprintOf ?? (await fingerprintAt(executor, state, atMs));
  const json = profileDocumentJson(state.slug, profile, state.default_profile_slug === slug, fingerprintThen(state, profile));
  return { json, etag: documentEtag(fingerprintThen.key, profile.version, json), profile };
};

/** A whole registry at its stream version N or at a time. */
export const pastRegistryPayload = async (executor: SqlExecutor, registry: string, point: PastPoint): Promise<PastDocument> => {
  const version = await requirePastVersion(executor, registry, point);
  const state = liveAt(await registryStateAtVersion(executor, registry, version));
  return { json: registryPayloadJson(state), etag: `"r${state.version}"` };
};
