import { effectiveFingerprint } from '../domain/effective-runtime.js';
import { profileNotFound, profileVersionNotFound, registryNotFound } from '../domain/errors.js';
import type { ProfileState } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { profilesAtPosition, profilesAtTime, stackLookupAt, type ProfilesLoader } from './fingerprint-at-point.js';
import { storeFingerprintKey } from './fingerprint-key-store.js';
import { documentEtag, profileDocumentJson, registryPayloadJson } from './registry-serialization.js';
import {
  profilesAtVersion,
  profileVersionWrite,
  registryStateAtVersion,
  requirePastVersion,
  streamHeadVersion,
  streamVersionOf,
  type PastPoint,
} from './time-travel.js';

/** Documents as a read returned them at a past point, rendered by the live serializer. */

export interface PastDocument {
  json: string;
  etag: string;
  /** The profile as it was then (a document only). */
  profile?: ProfileState;
}

const liveAt = <T extends { live: boolean }>(state: T | undefined): T => {
  if (!state?.live) throw registryNotFound();
  return state;
};

/**
 * A profile at its version N (`{version}`) or at a time; 404 where it did not exist. It reads the
 * profile and the profiles its stack reaches as they were then, none of their registries' others.
 */
export const pastProfileDocument = async (executor: SqlExecutor, registry: string, slug: string, point: PastPoint): Promise<PastDocument> => {
  if ((await streamHeadVersion(executor, registry)) === 0) throw registryNotFound();
  let version: number;
  let load: ProfilesLoader;
  if ('version' in point) {
    const write = await profileVersionWrite(executor, registry, slug, point.version);
    if (!write) throw profileVersionNotFound(point.version);
    // the version's own write is the point: every registry as it stood right after it
    version = write.stream_version;
    load = profilesAtPosition(executor, write.position);
  } else {
    version = await streamVersionOf(executor, registry, point);
    load = profilesAtTime(executor, point.atMs);
  }
  const then = liveAt(await profilesAtVersion(executor, registry, version, [slug]));
  const profile = then.profiles.get(slug);
  if (!profile) throw profileNotFound();
  const key = await storeFingerprintKey(executor);
  const fingerprint = effectiveFingerprint(key, registry, profile.content, await stackLookupAt(registry, profile.content, load));
  const json = profileDocumentJson(registry, profile, then.default_profile_slug === slug, fingerprint);
  return { json, etag: documentEtag(key, profile.version, json), profile };
};

/** A whole registry at its stream version N or at a time. */
export const pastRegistryPayload = async (executor: SqlExecutor, registry: string, point: PastPoint): Promise<PastDocument> => {
  const version = await requirePastVersion(executor, registry, point);
  const state = liveAt(await registryStateAtVersion(executor, registry, version));
  return { json: registryPayloadJson(state), etag: `"r${state.version}"` };
};
