import { effectiveFingerprint } from '../domain/effective-runtime.js';
import type { FingerprintKey } from '../domain/fingerprint.js';
import type { ProfileContent } from '../domain/profile.js';
import type { ProfileLookup } from '../domain/stack-merge.js';
import type { DeepReadonly } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { profilesAtVersion, type ProfilesView } from './time-travel.js';

/** Loads some profiles of a registry as they were at some point (undefined where it did not exist then). */
export type ProfilesLoader = (registry: string, slugs: readonly string[]) => Promise<ProfilesView | undefined>;

const atVersionOf = (executor: SqlExecutor, versionOf: (registry: string) => Promise<number>): ProfilesLoader => {
  const versions = new Map<string, Promise<number>>();
  return async (registry, slugs) => {
    let version = versions.get(registry);
    if (!version) versions.set(registry, (version = versionOf(registry)));
    return profilesAtVersion(executor, registry, await version, slugs);
  };
};

/** Profiles as they were right after global position `position` (the events are the clock; equal times do not blur it). */
export const profilesAtPosition = (executor: SqlExecutor, position: number): ProfilesLoader =>
  atVersionOf(executor, (registry) => executor.events.streamVersionAtPosition(registry, position));

export const profilesAtTime = (executor: SqlExecutor, atMs: number): ProfilesLoader => {
  const load = atVersionOf(executor, (registry) => executor.events.streamVersionAt(registry, atMs));
  return (registry, slugs) => load(registry, slugs).catch(() => undefined);
};

/**
 * What a profile's stack reached at one point: the live contents of the profiles it names, of those
 * theirs name, and so on (every profile the stack's expansion can look up), each registry read for
 * those profiles only.
 */
export const stackLookupAt = async (registry: string, content: DeepReadonly<ProfileContent>, load: ProfilesLoader): Promise<ProfileLookup> => {
  const found = new Map<string, Map<string, ProfileContent | undefined>>();
  let holders: [string, DeepReadonly<ProfileContent>][] = [[registry, content]];
  while (holders.length > 0) {
    const wanted = new Map<string, Set<string>>();
    for (const [holder, layer] of holders) {
      for (const ref of layer.stack) {
        const refRegistry = ref.registry_slug ?? holder;
        if (found.get(refRegistry)?.has(ref.profile_slug)) continue;
        wanted.set(refRegistry, (wanted.get(refRegistry) ?? new Set()).add(ref.profile_slug));
      }
    }
    holders = [];
    for (const [refRegistry, slugs] of wanted) {
      const view = await load(refRegistry, [...slugs]);
      const contents = found.get(refRegistry) ?? new Map<string, ProfileContent | undefined>();
      found.set(refRegistry, contents);
      for (const slug of slugs) {
        const base = view?.live ? view.profiles.get(slug)?.content : undefined;
        contents.set(slug, base);
        if (base) holders.push([refRegistry, base]);
      }
    }
  }
  return (lookupRegistry, slug) => found.get(lookupRegistry)?.get(slug);
};

/**
 * The fingerprint of one profile content's effective runtime at a global position: what a resolve
 * right after that position answered (the content is the profile's as of then).
 */
export const contentFingerprintAtPosition = async (
  executor: SqlExecutor,
  key: FingerprintKey,
  registry: string,
  content: DeepReadonly<ProfileContent>,
  position: number,
): Promise<string> => effectiveFingerprint(key, registry, content, await stackLookupAt(registry, content, profilesAtPosition(executor, position)));
