import type { RegistryState } from '../events/registry-state.js';
import { arrayJson, objectJson } from '../domain/json-splicing.js';
import { storedProfileJson } from './registry-serialization.js';

const bySlug = <T>(entries: Iterable<[string, T]>): [string, T][] => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The whole state as JSON, every profile in its stored form (for comparing states). Snapshots
 * themselves are written and read by src/events/snapshots.ts.
 */
export const serializeRegistryState = (state: RegistryState): string => {
  const { profiles, tombstones, ...fields } = state;
  const profileEntries = bySlug(profiles).map(([slug, profile]) =>
    arrayJson([JSON.stringify(slug), storedProfileJson(profile), ...(profile.signature ? [JSON.stringify(profile.signature)] : [])]),
  );
  return objectJson([{ spread: JSON.stringify({ ...fields, tombstones: bySlug(tombstones) }) }, ['profiles', arrayJson(profileEntries)]]);
};
