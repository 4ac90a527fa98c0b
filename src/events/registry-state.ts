import type { ProfileContent } from '../domain/profile.js';
import type { ProfileSignature } from '../domain/profile-signature.js';
import type { SchemaPolicies } from '../domain/schema-documents.js';

export interface ChangeStamp {
  readonly created_at_ms: number;
  readonly updated_at_ms: number;
  readonly created_by: string;
  readonly updated_by: string;
  readonly source: string;
}

/**
 * Read-only all the way down: states share their content with events, caches and snapshots, so
 * nothing may change it. (Arrays keep their mutable type so that domain functions taking plain
 * values accept it; the tests freeze states deeply, which catches what the types let through.)
 */
export type DeepReadonly<T> = T extends (infer E)[]
  ? DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export interface ProfileState {
  readonly content: DeepReadonly<ProfileContent>;
  readonly version: number;
  readonly stamp: ChangeStamp;
  /** The last signature published for this profile; stale once `version` moved past it. */
  readonly signature?: DeepReadonly<ProfileSignature>;
}

/**
 * A registry as its events leave it. `live` is false once it was deleted (the stream goes on).
 * Its schema policies (`unknown_middlewares`, `unknown_extensions`) are held only when `refuse`.
 */
export interface RegistryState extends Readonly<SchemaPolicies> {
  readonly slug: string;
  readonly live: boolean;
  readonly display_name?: string;
  readonly description?: string;
  readonly default_profile_slug?: string;
  /** Stream version: the number of events in the registry's stream. */
  readonly version: number;
  readonly stamp: ChangeStamp;
  readonly profiles: ReadonlyMap<string, ProfileState>;
  /** Last version of each deleted profile, so that a re-created slug continues its versions. */
  readonly tombstones: ReadonlyMap<string, number>;
}

/** `T` with its top-level fields writable again: for code that builds a state before handing it out. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

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
