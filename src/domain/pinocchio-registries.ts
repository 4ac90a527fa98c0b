import { importBundle } from './read-registry-bundle.js';
import type { RegistryContent } from './registry-bundle.js';
import { parseSlug } from './slug.js';

/** One row of the `profile_registries` table of geppetto's SQLite profile store, as pinocchio web-chat writes it. */
export interface PinocchioRow {
  slug: string;
  payload_json: string;
  updated_at_ms: number;
}

/** The tag that keeps a migrated profile's pinocchio version (`metadata.version`) in its metadata. */
export const pinocchioVersionTag = (version: number): string => `pinocchio-version:${version}`;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const rowError = (slug: string, why: string): Error => new Error(`profile_registries row "${slug}": ${why}`);

/**
 * A pinocchio profile as this registry's bundle takes it: what the profile says (runtime,
 * policy, extensions, stack, tags) and, among its tags, the version pinocchio had given it.
 * Versions, times and actors are the server's: the migration's events get their own.
 */
const bundleProfile = (row: string, key: string, profile: unknown): Record<string, unknown> => {
  if (!isObject(profile)) throw rowError(row, `profile "${key}" is not an object`);
  if (profile.inference_settings !== undefined) {
    throw rowError(
      row,
      `profile "${key}" has inference_settings (geppetto's engine profiles, since March 2026); migrate-pinocchio reads profiles with runtime and policy`,
    );
  }
  const { metadata, ...content } = profile;
  const old = isObject(metadata) ? metadata : {};
  const tags = Array.isArray(old.tags) ? old.tags.filter((tag): tag is string => typeof tag === 'string') : [];
  if (typeof old.version === 'number' && old.version > 0) tags.push(pinocchioVersionTag(old.version));
  return { ...content, metadata: { tags } };
};

/**
 * The registries of a pinocchio database, normalized as an import of the same registries would
 * be. A row's payload is the registry as JSON (slug, display_name, description,
 * default_profile_slug, profiles keyed by slug, metadata); as geppetto reads it, an empty payload
 * slug takes the row's and a different one is refused.
 */
export const pinocchioRegistries = (rows: readonly PinocchioRow[]): RegistryContent[] => {
  const registries: Record<string, unknown> = {};
  for (const row of rows) {
    const slug = parseSlug(row.slug);
    if (slug === undefined) throw rowError(row.slug, 'invalid registry slug');
    let payload: unknown;
    try {
      payload = JSON.parse(row.payload_json);
    } catch (error) {
      throw rowError(row.slug, `payload_json is not JSON (${(error as Error).message})`);
    }
    if (!isObject(payload)) throw rowError(row.slug, 'payload_json is not a JSON object');
    const declared = typeof payload.slug === 'string' && payload.slug !== '' ? parseSlug(payload.slug) : slug;
    if (declared !== slug) throw rowError(row.slug, `payload slug "${String(payload.slug)}" does not match the row`);
    const profiles = isObject(payload.profiles) ? payload.profiles : {};
    registries[slug] = {
      ...payload,
      slug,
      profiles: Object.fromEntries(Object.entries(profiles).map(([key, profile]) => [key, bundleProfile(row.slug, key, profile)])),
    };
  }
  return importBundle({ registries });
};
