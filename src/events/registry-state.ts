import type { ProfileContent } from '../domain/profile.js';
import type { ProfileSignature } from '../domain/profile-signature.js';

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

/** A registry as its events leave it. `live` is false once it was deleted (the stream goes on). */
export interface RegistryState {
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
