import { profileNotFound, profileVersionNotFound, registryNotFound } from '../domain/errors.js';
import type { ProfileState, RegistryState } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';

import { fingerprintAtPoint, registriesAtPosition, registriesAtTime } from './fingerprint-at-point.js';
import { storeFingerprintKey } from './fingerprint-key-store.js';
import type { FingerprintOf } from './project-registry.js';
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
  let loadOthers: (state: RegistryState) => Promise<FingerprintOf>;
  if ('version' in point) {
    const found = await registryStateAtProfileVersion(executor, registry, slug, point.version);
    if (!found) throw profileVersionNotFound(point.version);
    state = liveAt(found.state);
    // the version's own write is the point: every other registry as it stood right after it
    loadOthers = async (then) => fingerprintAtPoint(await storeFingerprintKey(executor), then, registriesAtPosition(executor, found.position));
  } else {
    state = liveAt(await registryStateAt(executor, registry, point));
    loadOthers = async (then) => fingerprintAtPoint(await storeFingerprintKey(executor), then, registriesAtTime(executor, point.atMs));
  }
  const profile = state.profiles.get(slug);
  if (!profile) throw profileNotFound();
  const fingerprintThen = fingerprintOf ?? (await loadOthers(state));
  const json = profileDocumentJson(state.slug, profile, state.default_profile_slug === slug, fingerprintThen(state, profile));
  return { json, etag: documentEtag(fingerprintThen.key, profile.version, json), profile };
};

/** A whole registry at its stream version N or at a time. */
export const pastRegistryPayload = async (executor: SqlExecutor, registry: string, point: PastPoint): Promise<PastDocument> => {
  const version = await requirePastVersion(executor, registry, point);
  const state = liveAt(await registryStateAtVersion(executor, registry, version));
  return { json: registryPayloadJson(state), etag: `"r${state.version}"` };
};
