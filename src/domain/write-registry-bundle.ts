import { stringify as stringifyYaml } from 'yaml';
import type { Middleware, ProfileContent, Runtime } from './profile.js';
import { middlewareSchemaDocument, type BundleSchemas } from './schema-documents.js';
import { compareSlugs, type BundleProfile, type BundleRegistry, type RegistryBundle, type RegistryContent } from './registry-bundle.js';

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
export const bundleRegistry = (registry: RegistryContent): BundleRegistry => {
  const out = { slug: registry.slug } as BundleRegistry;
  if (registry.display_name !== undefined) out.display_name = registry.display_name;
  if (registry.description !== undefined) out.description = registry.description;
  if (registry.default_profile_slug !== undefined) out.default_profile_slug = registry.default_profile_slug;
  if (registry.unknown_middlewares !== undefined) out.unknown_middlewares = registry.unknown_middlewares;
  if (registry.unknown_extensions !== undefined) out.unknown_extensions = registry.unknown_extensions;
  out.profiles = {};
  for (const slug of Object.keys(registry.profiles).sort(compareSlugs)) out.profiles[slug] = bundleProfile(registry.profiles[slug]);
  return out;
};

/** The schemas section as a bundle writes it: sorted by name, map keys sorted, empty lists left out. */
const bundleSchemas = (schemas: BundleSchemas): BundleSchemas | undefined => {
  const out = {} as BundleSchemas;
  const middlewares = [...schemas.middlewares].sort((a, b) => compareSlugs(a.name, b.name));
  const extensions = [...schemas.extensions].sort((a, b) => compareSlugs(a.key, b.key));
  if (middlewares.length > 0) out.middlewares = middlewares.map((item) => middlewareSchemaDocument({ ...item, schema: sortedKeys(item.schema) }));
  if (extensions.length > 0) out.extensions = extensions.map((item) => ({ key: item.key, schema: sortedKeys(item.schema) }));
  return middlewares.length > 0 || extensions.length > 0 ? out : undefined;
};

export const registryBundle = (registries: readonly RegistryContent[], schemas?: BundleSchemas): RegistryBundle => {
  const bundle: RegistryBundle = { registries: {} };
  for (const registry of [...registries].sort((a, b) => compareSlugs(a.slug, b.slug))) {
    bundle.registries[registry.slug] = bundleRegistry(registry);
  }
  const section = schemas && bundleSchemas(schemas);
  if (section) bundle.schemas = section;
  return bundle;
};

/** The canonical YAML of a bundle: 4-space indent, literal blocks for multi-line text, no folding. */
export const bundleYaml = (bundle: RegistryBundle): string =>
  stringifyYaml(bundle, { indent: 4, lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false });

export const bundleJson = (bundle: RegistryBundle): string => `${JSON.stringify(bundle, null, 2)}\n`;

export type BundleFormat = 'yaml' | 'json';

const bundleText = (bundle: RegistryBundle, format: BundleFormat): string => (format === 'json' ? bundleJson(bundle) : bundleYaml(bundle));

/** `text` without `prefix` and `suffix`, which it must have. */
const between = (text: string, prefix: string, suffix: string): string => {
  if (!text.startsWith(prefix) || !text.endsWith(suffix)) throw new Error('bundle text: unexpected layout');
  return text.slice(prefix.length, text.length - suffix.length);
};

// What the text of a bundle of one registry holds around that registry's entry, and around the
// schemas section in a bundle without registries. Each entry is cut out of the text of a bundle
// of that registry alone: the writers lay out a mapping's entry the same wherever it stands.
const LAYOUT = {
  yaml: { head: 'registries:\n', entryEnd: '', separator: '', empty: 'registries: {}\n', end: '' },
  json: { head: '{\n  "registries": {\n', entryEnd: '\n  }\n}\n', separator: ',\n', empty: '{\n  "registries": {}', end: '\n}\n' },
} as const;

/**
 * The text of the bundle of `registries` (in slug order, as `registryBundle` sorts them) and the
 * schemas, a registry at a time, so that no more than one registry's text is held: joined, the
 * parts are `bundleYaml` / `bundleJson` of the whole bundle. `shown` is applied to each part's
 * bundle (the redaction of secrets).
 */
export async function* bundleTextParts(
  registries: AsyncIterable<RegistryContent>,
  schemas: () => Promise<BundleSchemas | undefined>,
  options: { format: BundleFormat; shown?: (bundle: RegistryBundle) => RegistryBundle },
): AsyncGenerator<string> {
  const layout = LAYOUT[options.format];
  const shown = options.shown ?? ((bundle: RegistryBundle) => bundle);
  let previous: string | undefined;
  for await (const registry of registries) {
    if (previous !== undefined && compareSlugs(previous, registry.slug) >= 0) throw new Error('bundle text: registries out of slug order');
    const entry = between(bundleText(shown(registryBundle([registry])), options.format), layout.head, layout.entryEnd);
    yield previous === undefined ? `${layout.head}${entry}` : `${layout.separator}${entry}`;
    previous = registry.slug;
  }
  const rest = between(bundleText(shown(registryBundle([], await schemas())), options.format), layout.empty, layout.end);
  if (previous === undefined) yield `${layout.empty}${rest}${layout.end}`;
  else yield `${options.format === 'json' ? '\n  }' : ''}${rest}${layout.end}`;
}
