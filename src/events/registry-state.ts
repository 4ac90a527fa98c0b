import type { ProfileContent } from '../domain/profile.js';
import type { ProfileSignature } from '../domain/profile-signature.js';
import type { SchemaPolicies } from '../domain/schema-documents.js';

export interface ChangeStamp {
  created_at_ms: number;
  updated_at_ms: number;
  created_by: string;
  updated_by: string;
  source: string;
}

export interface ProfileState {
  content: ProfileContent;
  version: number;
  stamp: ChangeStamp;
  /** The last signature published for this profile; stale once `version` moved past it. */
  signature?: ProfileSignature;
}

/**
 * A registry as its events leave it. `live` is false once it was deleted (the stream goes on).
 * Its schema policies (`unknown_middlewares`, `unknown_extensions`) are held only when `refuse`.
 */
export interface RegistryState extends SchemaPolicies {
  slug: string;
  live: boolean;
  display_name?: string;
  description?: string;
  default_profile_slug?: string;
  /** Stream version: the number of events in the registry's stream. */
  version: number;
  stamp: ChangeStamp;
  profiles: Map<string, ProfileState>;
  /** Last version of each deleted profile, so that a re-created slug continues its versions. */
  tombstones: Map<string, number>;
}

export const DEFAULT_REGISTRY = 'default';

export const profileVersionAfter = (state: RegistryState | undefined, slug: string): number =>
  state?.profiles.get(slug)?.version ?? state?.tombstones.get(slug) ?? 0;

/** The schema policies a registry created or updated with `data` has (`allow` is not held). */
export const applySchemaPolicies = (state: SchemaPolicies, data: SchemaPolicies): void => {
  for (const field of ['unknown_middlewares', 'unknown_extensions'] as const) {
    if (data[field] === undefined) continue;
    if (data[field] === 'refuse') state[field] = 'refuse';
    else delete state[field];
  }
};
