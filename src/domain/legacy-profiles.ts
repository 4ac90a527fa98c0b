import { invalidLegacyProfiles } from './errors.js';
import { isPlainMap } from './input-format.js';
import { parseSlug } from './slug.js';

/**
 * pinocchio's legacy `profiles.yaml` (`profile → section → field → value`) as a `registries:`
 * bundle value: one registry, each profile's sections become its `runtime.step_settings_patch`
 * unchanged; the default profile is `default` when present, else the first slug.
 */
export const legacyMapToBundle = (legacy: Record<string, unknown>, registry: string): { registries: Record<string, unknown> } => {
  const profiles: Record<string, unknown> = {};
  for (const key of Object.keys(legacy).sort()) {
    const slug = parseSlug(key);
    if (slug === undefined) throw invalidLegacyProfiles(`invalid legacy profile slug "${key}"`);
    if (Object.hasOwn(profiles, slug)) throw invalidLegacyProfiles(`duplicate legacy profile slug "${slug}"`);
    const sections = legacy[key];
    if (!isPlainMap(sections) || !Object.values(sections).every(isPlainMap)) {
      throw invalidLegacyProfiles(`legacy profile "${slug}" must map to section settings`);
    }
    profiles[slug] = { slug, runtime: { step_settings_patch: sections } };
  }
  const slugs = Object.keys(profiles);
  const defaultSlug = slugs.includes('default') ? 'default' : slugs[0];
  return {
    registries: {
      [registry]: { slug: registry, ...(defaultSlug !== undefined && { default_profile_slug: defaultSlug }), profiles },
    },
  };
};
