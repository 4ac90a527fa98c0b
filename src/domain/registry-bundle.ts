import type { ProfileContent, Runtime } from './profile.js';
import type { BundleSchemas, SchemaPolicies } from './schema-documents.js';

/**
 * The canonical `registries:` bundle of geppetto's YAML store, read by import and written by
 * export and migrate-legacy. A bundle holds what profiles say, never what the server owns
 * (versions, timestamps, actors): only `metadata.tags` is kept.
 */
export interface BundleProfile {
  slug: string;
  display_name?: string;
  description?: string;
  runtime: Runtime;
  policy: Record<string, unknown>;
  metadata?: { tags: string[] };
  extensions?: Record<string, unknown>;
  stack?: ProfileContent['stack'];
}

export interface BundleRegistry extends SchemaPolicies {
  slug: string;
  display_name?: string;
  description?: string;
  default_profile_slug?: string;
  profiles: Record<string, BundleProfile>;
}

export interface RegistryBundle {
  registries: Record<string, BundleRegistry>;
  /** The schemas that govern the registries' middlewares and extensions (left out when none). */
  schemas?: BundleSchemas;
}

/** A registry as a bundle describes it, every profile normalized as an HTTP create would. */
export interface RegistryContent extends SchemaPolicies {
  slug: string;
  display_name?: string;
  description?: string;
  default_profile_slug?: string;
  profiles: Record<string, ProfileContent>;
  /**
   * The version each profile had where the file comes from, when the file says (`metadata.version`,
   * as a document read from the API carries it): an import records it beside its events, never as
   * the profile's version here.
   */
  source_versions?: Record<string, number>;
}

export const compareSlugs = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const profileCount = (registries: readonly RegistryContent[]): number =>
  registries.reduce((sum, registry) => sum + Object.keys(registry.profiles).length, 0);
