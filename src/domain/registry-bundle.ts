import { stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { DomainError, isDomainError, validationError } from './errors.js';
import { parseWith } from './parse-input.js';
import { newProfileContent, type Middleware, type ProfileContent, type Runtime } from './profile.js';
import { createProfileBodySchema } from './profile-schemas.js';
import { parseSlug } from './slug.js';

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

export interface BundleRegistry {
  slug: string;
  display_name?: string;
  description?: string;
  default_profile_slug?: string;
  profiles: Record<string, BundleProfile>;
}

export interface RegistryBundle {
  registries: Record<string, BundleRegistry>;
}

/** A registry as a bundle describes it, every profile normalized as an HTTP create would. */
export interface ImportedRegistry {
  slug: string;
  display_name?: string;
  description?: string;
  default_profile_slug?: string;
  profiles: Record<string, ProfileContent>;
}

const bundleProfileSchema = createProfileBodySchema
  .omit({ registry: true, set_default: true })
  .extend({ slug: z.string().optional() });

const bundleRegistrySchema = z.strictObject({
  slug: z.string().optional(),
  display_name: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  default_profile_slug: z.string().nullable().optional(),
  profiles: z.record(z.string(), bundleProfileSchema).nullable().optional(),
  // server-owned (a registry read back from the API carries it); ignored like profile metadata
  metadata: z.unknown().optional(),
});

const bundleSchema = z.strictObject({ registries: z.record(z.string(), bundleRegistrySchema).nullable() });

type BundleProfileInput = z.infer<typeof bundleProfileSchema>;
type BundleRegistryInput = z.infer<typeof bundleRegistrySchema>;

/** Re-throws a validation error of a nested value with the path of that value in the bundle. */
const withinPath = <T>(prefix: string, fn: () => T): T => {
  try {
    return fn();
  } catch (error) {
    if (!isDomainError(error) || error.code !== 'validation' || !error.errors?.length) throw error;
    const errors = error.errors.map((each) => ({ path: `${prefix}.${each.path}`, message: each.message }));
    throw new DomainError('validation', `validation error (${errors[0].path}): ${errors[0].message}`, { errors });
  }
};

const keyedSlug = (key: string, declared: string | undefined, path: string, what: string): string => {
  const slug = parseSlug(key);
  if (slug === undefined) throw validationError(path, `invalid ${what} slug`);
  if (declared !== undefined && parseSlug(declared) !== slug) throw validationError(`${path}.slug`, 'does not match its key');
  return slug;
};

const importProfile = (slug: string, input: BundleProfileInput): ProfileContent =>
  newProfileContent(slug, {
    display_name: input.display_name,
    description: input.description,
    runtime: input.runtime,
    policy: input.policy,
    extensions: input.extensions,
    stack: input.stack,
    metadata: input.metadata,
  });

const importRegistry = (key: string, input: BundleRegistryInput): ImportedRegistry => {
  const path = `registries.${key}`;
  const slug = keyedSlug(key, input.slug, path, 'registry');
  const profiles: Record<string, ProfileContent> = {};
  for (const [profileKey, profileInput] of Object.entries(input.profiles ?? {})) {
    const profilePath = `${path}.profiles.${profileKey}`;
    const profileSlug = keyedSlug(profileKey, profileInput.slug, profilePath, 'profile');
    if (Object.hasOwn(profiles, profileSlug)) throw validationError(profilePath, `duplicate profile slug "${profileSlug}"`);
    profiles[profileSlug] = withinPath(profilePath, () => importProfile(profileSlug, profileInput));
  }
  const out: ImportedRegistry = { slug, profiles };
  if (input.display_name) out.display_name = input.display_name;
  if (input.description) out.description = input.description;
  if (input.default_profile_slug) {
    const defaultSlug = parseSlug(input.default_profile_slug);
    if (defaultSlug === undefined || !Object.hasOwn(profiles, defaultSlug)) {
      throw validationError(`${path}.default_profile_slug`, 'names no profile of the registry');
    }
    out.default_profile_slug = defaultSlug;
  }
  return out;
};

/** Validates a `{registries: ...}` value and normalizes every registry in it, in slug order. */
export const importBundle = (value: unknown): ImportedRegistry[] => {
  const bundle = parseWith(bundleSchema, value);
  const registries = Object.entries(bundle.registries ?? {}).map(([key, input]) => importRegistry(key, input));
  const seen = new Set<string>();
  for (const registry of registries) {
    if (seen.has(registry.slug)) throw validationError(`registries.${registry.slug}`, 'duplicate registry slug');
    seen.add(registry.slug);
  }
  return registries.sort((a, b) => compareSlugs(a.slug, b.slug));
};

const compareSlugs = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Free-form values (settings, configs, extensions) with their map keys sorted, as Go's YAML writer does. */
const sortedKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareSlugs)) out[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return out;
};

const bundleMiddleware = (middleware: Middleware): Middleware => {
  const out = { name: middleware.name } as Middleware;
  if (middleware.id !== undefined) out.id = middleware.id;
  out.enabled = middleware.enabled;
  if (middleware.config !== undefined) out.config = sortedKeys(middleware.config);
  return out;
};

const bundleRuntime = (runtime: Runtime): Runtime => {
  const out: Runtime = {};
  if (runtime.step_settings_patch !== undefined) {
    out.step_settings_patch = sortedKeys(runtime.step_settings_patch) as Runtime['step_settings_patch'];
  }
  if (runtime.system_prompt !== undefined) out.system_prompt = runtime.system_prompt;
  if (runtime.middlewares !== undefined) out.middlewares = runtime.middlewares.map(bundleMiddleware);
  if (runtime.tools !== undefined) out.tools = runtime.tools;
  return out;
};

/** A profile as a bundle writes it: fixed field order, empty lists left out (import restores them). */
export const bundleProfile = (content: ProfileContent): BundleProfile => {
  const out = { slug: content.slug } as BundleProfile;
  if (content.display_name !== undefined) out.display_name = content.display_name;
  if (content.description !== undefined) out.description = content.description;
  out.runtime = bundleRuntime(content.runtime);
  const { policy } = content;
  out.policy = { allow_overrides: policy.allow_overrides };
  if (policy.allowed_override_keys.length > 0) out.policy.allowed_override_keys = policy.allowed_override_keys;
  if (policy.denied_override_keys.length > 0) out.policy.denied_override_keys = policy.denied_override_keys;
  out.policy.read_only = policy.read_only;
  if (content.tags.length > 0) out.metadata = { tags: content.tags };
  if (Object.keys(content.extensions).length > 0) out.extensions = sortedKeys(content.extensions) as Record<string, unknown>;
  if (content.stack.length > 0) out.stack = content.stack;
  return out;
};

/** A registry as a bundle writes it: profiles in slug order. */
export const bundleRegistry = (registry: ImportedRegistry): BundleRegistry => {
  const out = { slug: registry.slug } as BundleRegistry;
  if (registry.display_name !== undefined) out.display_name = registry.display_name;
  if (registry.description !== undefined) out.description = registry.description;
  if (registry.default_profile_slug !== undefined) out.default_profile_slug = registry.default_profile_slug;
  out.profiles = {};
  for (const slug of Object.keys(registry.profiles).sort(compareSlugs)) out.profiles[slug] = bundleProfile(registry.profiles[slug]);
  return out;
};

export const registryBundle = (registries: readonly ImportedRegistry[]): RegistryBundle => {
  const bundle: RegistryBundle = { registries: {} };
  for (const registry of [...registries].sort((a, b) => compareSlugs(a.slug, b.slug))) {
    bundle.registries[registry.slug] = bundleRegistry(registry);
  }
  return bundle;
};

/** The canonical YAML of a bundle: 4-space indent, literal blocks for multi-line text, no folding. */
export const bundleYaml = (bundle: RegistryBundle): string =>
  stringifyYaml(bundle, { indent: 4, lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false });

export const bundleJson = (bundle: RegistryBundle): string => `${JSON.stringify(bundle, null, 2)}\n`;

export const profileCount = (registries: readonly ImportedRegistry[]): number =>
  registries.reduce((sum, registry) => sum + Object.keys(registry.profiles).length, 0);
