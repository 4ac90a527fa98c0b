import { sameContent } from './canonical-json.js';
import { GEPPETTO_SETTINGS_EXTENSION, InferenceSettingsError, inferenceSettingsRuntime, type InferenceSettingsRuntime } from './geppetto-inference-settings.js';
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
 * Puts a geppetto engine profile's `inference_settings` where this registry keeps them (see
 * geppetto-inference-settings.ts): a value the profile's own `runtime.step_settings_patch` (or the
 * extension) already holds differently is refused, naming the field, never its value.
 */
const withInferenceSettings = (row: string, key: string, content: Record<string, unknown>, settings: unknown): void => {
  let converted: InferenceSettingsRuntime;
  try {
    converted = inferenceSettingsRuntime(settings);
  } catch (error) {
    if (error instanceof InferenceSettingsError) throw rowError(row, `profile "${key}": ${error.message}`);
    throw error;
  }
  const runtime = isObject(content.runtime) ? { ...content.runtime } : {};
  const patch: Record<string, unknown> = isObject(runtime.step_settings_patch) ? { ...runtime.step_settings_patch } : {};
  for (const [section, fields] of Object.entries(converted.step_settings_patch)) {
    const merged: Record<string, unknown> = isObject(patch[section]) ? { ...patch[section] } : {};
    for (const [field, value] of Object.entries(fields)) {
      if (Object.hasOwn(merged, field) && !sameContent(merged[field], value)) {
        throw rowError(row, `profile "${key}": runtime.step_settings_patch.${section}.${field} and its inference_settings disagree`);
      }
      merged[field] = value;
    }
    patch[section] = merged;
  }
  if (Object.keys(patch).length > 0) runtime.step_settings_patch = patch;
  content.runtime = runtime;
  if (Object.keys(converted.kept).length === 0) return;
  const extensions = isObject(content.extensions) ? { ...content.extensions } : {};
  if (Object.hasOwn(extensions, GEPPETTO_SETTINGS_EXTENSION)) {
    throw rowError(row, `profile "${key}": extension ${GEPPETTO_SETTINGS_EXTENSION} is taken, and its inference_settings need it`);
  }
  extensions[GEPPETTO_SETTINGS_EXTENSION] = converted.kept;
  content.extensions = extensions;
};

/** pinocchio's extension for what its engine profiles run with (pkg/inference/runtime ProfileRuntime). */
export const WEBCHAT_RUNTIME_EXTENSION = 'pinocchio.webchat_runtime@v1';
const WEBCHAT_RUNTIME_FIELDS = ['system_prompt', 'middlewares', 'tools'];

/**
 * Moves pinocchio's `pinocchio.webchat_runtime@v1` extension (system prompt, middlewares, tools,
 * kept beside geppetto's engine profiles since March 2026) into the runtime, where this registry
 * and its resolve keep them; the extension then goes (one place for each value). A runtime field
 * the profile already sets differently, or a key ProfileRuntime does not have, is refused.
 */
const withWebchatRuntime = (row: string, key: string, content: Record<string, unknown>): void => {
  const extensions = content.extensions;
  if (!isObject(extensions) || !Object.hasOwn(extensions, WEBCHAT_RUNTIME_EXTENSION)) return;
  const moved = extensions[WEBCHAT_RUNTIME_EXTENSION];
  const where = `profile "${key}": extension ${WEBCHAT_RUNTIME_EXTENSION}`;
  if (!isObject(moved)) throw rowError(row, `${where} is not an object`);
  const runtime = isObject(content.runtime) ? { ...content.runtime } : {};
  for (const [field, value] of Object.entries(moved)) {
    if (!WEBCHAT_RUNTIME_FIELDS.includes(field)) throw rowError(row, `${where}: ${field} is not a field of pinocchio's ProfileRuntime`);
    if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    if (runtime[field] !== undefined && !sameContent(runtime[field], value)) {
      throw rowError(row, `${where}: ${field} disagrees with the profile's runtime.${field}`);
    }
    runtime[field] = value;
  }
  content.runtime = runtime;
  const { [WEBCHAT_RUNTIME_EXTENSION]: _moved, ...rest } = extensions;
  content.extensions = rest;
};

/**
 * A pinocchio profile as this registry's bundle takes it: what the profile says (runtime,
 * policy, extensions, stack, tags; geppetto's `inference_settings` as the runtime's step settings) and, among its tags, the version pinocchio had given it.
 * Versions, times and actors are the server's: the migration's events get their own.
 */
const bundleProfile = (row: string, key: string, profile: unknown): Record<string, unknown> => {
  if (!isObject(profile)) throw rowError(row, `profile "${key}" is not an object`);
  const { metadata, inference_settings: settings, ...content } = profile;
  if (settings !== undefined) withInferenceSettings(row, key, content, settings);
  withWebchatRuntime(row, key, content);
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
