import { z } from 'zod';
import { isDomainError, validationError, validationErrors } from './errors.js';
import { parseWith, unstorableField } from './parse-input.js';
import { newProfileContent, type ProfileContent } from './profile.js';
import { createProfileBodySchema } from './profile-schemas.js';
import { compareSlugs, type RegistryContent } from './registry-bundle.js';
import { parseSlug } from './slug.js';
import { unknownNamesPolicySchema } from './schema-documents.js';

const bundleProfileSchema = createProfileBodySchema
  .omit({ registry: true, set_default: true })
  .extend({ slug: z.string().optional() });

const bundleRegistrySchema = z.strictObject({
  slug: z.string().optional(),
  display_name: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  default_profile_slug: z.string().nullable().optional(),
  profiles: z.record(z.string(), bundleProfileSchema).nullable().optional(),
  unknown_middlewares: unknownNamesPolicySchema.optional(),
  unknown_extensions: unknownNamesPolicySchema.optional(),
  // server-owned (a registry read back from the API carries it); ignored like profile metadata
  metadata: z.unknown().optional(),
});

// `schemas` is read by bundleSchemasOf (read-bundle-schemas.ts)
const bundleSchema = z.strictObject({ registries: z.record(z.string(), bundleRegistrySchema).nullable(), schemas: z.unknown().optional() });

type BundleProfileInput = z.infer<typeof bundleProfileSchema>;
type BundleRegistryInput = z.infer<typeof bundleRegistrySchema>;

/** Re-throws a validation error of a nested value with the path of that value in the bundle. */
const withinPath = <T>(prefix: string, fn: () => T): T => {
  try {
    return fn();
  } catch (error) {
    if (!isDomainError(error) || error.code !== 'validation' || !error.errors?.length) throw error;
    const errors = error.errors.map((each) => ({ path: `${prefix}.${each.path}`, message: each.message }));
    throw validationErrors(errors);
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

/** A profile's version where the file comes from (`metadata.version`, server-owned there), if it says. */
const sourceVersionOf = (input: BundleProfileInput): number | undefined => {
  const version = (input.metadata as { version?: unknown } | undefined)?.version;
  return typeof version === 'number' && Number.isSafeInteger(version) && version >= 1 ? version : undefined;
};

const importRegistry = (key: string, input: BundleRegistryInput): RegistryContent => {
  const path = `registries.${key}`;
  const slug = keyedSlug(key, input.slug, path, 'registry');
  const profiles: Record<string, ProfileContent> = {};
  const sourceVersions: Record<string, number> = {};
  for (const [profileKey, profileInput] of Object.entries(input.profiles ?? {})) {
    const profilePath = `${path}.profiles.${profileKey}`;
    const profileSlug = keyedSlug(profileKey, profileInput.slug, profilePath, 'profile');
    if (Object.hasOwn(profiles, profileSlug)) throw validationError(profilePath, `duplicate profile slug "${profileSlug}"`);
    profiles[profileSlug] = withinPath(profilePath, () => importProfile(profileSlug, profileInput));
    const sourceVersion = sourceVersionOf(profileInput);
    if (sourceVersion !== undefined) sourceVersions[profileSlug] = sourceVersion;
  }
  const out: RegistryContent = { slug, profiles };
  if (Object.keys(sourceVersions).length > 0) out.source_versions = sourceVersions;
  if (input.display_name) out.display_name = input.display_name;
  if (input.description) out.description = input.description;
  if (input.unknown_middlewares !== undefined) out.unknown_middlewares = input.unknown_middlewares;
  if (input.unknown_extensions !== undefined) out.unknown_extensions = input.unknown_extensions;
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
export const importBundle = (value: unknown): RegistryContent[] => {
  // what no store can hold (a NUL, a lone surrogate, absurd nesting) is refused like in any request body
  const unstorable = unstorableField(value);
  if (unstorable !== undefined) throw validationError(unstorable.path, unstorable.message);
  const bundle = parseWith(bundleSchema, value);
  const registries = Object.entries(bundle.registries ?? {}).map(([key, input]) => importRegistry(key, input));
  const seen = new Set<string>();
  for (const registry of registries) {
    if (seen.has(registry.slug)) throw validationError(`registries.${registry.slug}`, 'duplicate registry slug');
    seen.add(registry.slug);
  }
  return registries.sort((a, b) => compareSlugs(a.slug, b.slug));
};
