import { type FieldError, secretsToReenter, validationError } from './errors.js';
import type { MiddlewareInput, PolicyInput, RuntimeInput, StackRefInput } from './profile-schemas.js';
import { restoreStoredSecrets, SECRET_AREAS, type SecretAreas } from './secrets.js';
import { parseExtensionKey, parseSlug } from './slug.js';

export interface Middleware {
  name: string;
  id?: string;
  enabled: boolean;
  config?: unknown;
}

export interface Runtime {
  step_settings_patch?: Record<string, Record<string, unknown>>;
  system_prompt?: string;
  middlewares?: Middleware[];
  tools?: string[];
}

export interface Policy {
  allow_overrides: boolean;
  allowed_override_keys: string[];
  denied_override_keys: string[];
  read_only: boolean;
}

export interface StackRef {
  registry_slug?: string;
  profile_slug: string;
}

/** What a profile says, without what the server owns (version, timestamps, actors). */
export interface ProfileContent {
  slug: string;
  display_name?: string;
  description?: string;
  runtime: Runtime;
  policy: Policy;
  extensions: Record<string, unknown>;
  stack: StackRef[];
  tags: string[];
}

/** The editable fields of a profile as a request gives them; a present key replaces that field. */
export interface ProfileFieldsInput {
  display_name?: string | null;
  description?: string | null;
  runtime?: RuntimeInput;
  policy?: PolicyInput;
  extensions?: Record<string, unknown>;
  stack?: StackRefInput[];
  metadata?: { tags?: string[] };
}

/** A profile written without `policy` (or without `allow_overrides`) refuses request overrides, as geppetto's zero policy does. */
export const DEFAULT_POLICY: Policy = Object.freeze({
  allow_overrides: false,
  allowed_override_keys: [],
  denied_override_keys: [],
  read_only: false,
}) as Policy;

const isBlank = (value: string): boolean => value.trim() === '';

const normalizeMiddlewares = (middlewares: MiddlewareInput[]): Middleware[] => {
  const seenIds = new Set<string>();
  return middlewares.map((middleware, index) => {
    const path = `runtime.middlewares[${index}]`;
    if (isBlank(middleware.name)) throw validationError(`${path}.name`, 'must not be blank');
    const out: Middleware = { name: middleware.name.trim(), enabled: middleware.enabled ?? true };
    if (middleware.id !== undefined) {
      const id = middleware.id.trim();
      if (id === '') throw validationError(`${path}.id`, 'must not be blank when set');
      if (seenIds.has(id)) throw validationError(`${path}.id`, `duplicate middleware id "${id}"`);
      seenIds.add(id);
      out.id = id;
    }
    if (middleware.config !== undefined) out.config = middleware.config;
    return out;
  });
};

export const normalizeRuntime = (runtime: RuntimeInput): Runtime => {
  const out: Runtime = {};
  if (runtime.step_settings_patch !== undefined) out.step_settings_patch = runtime.step_settings_patch;
  if (runtime.system_prompt !== undefined) out.system_prompt = runtime.system_prompt;
  if (runtime.middlewares !== undefined) out.middlewares = normalizeMiddlewares(runtime.middlewares);
  if (runtime.tools !== undefined) {
    out.tools = runtime.tools.map((tool, index) => {
      if (isBlank(tool)) throw validationError(`runtime.tools[${index}]`, 'must not be blank');
      return tool.trim();
    });
  }
  return out;
};

const normalizeKeyList = (keys: string[] | undefined, field: string): string[] =>
  (keys ?? []).map((key, index) => {
    if (isBlank(key)) throw validationError(`policy.${field}[${index}]`, 'must not be blank');
    return key.trim();
  });

export const normalizePolicy = (policy: PolicyInput): Policy => {
  const allowed = normalizeKeyList(policy.allowed_override_keys, 'allowed_override_keys');
  const denied = normalizeKeyList(policy.denied_override_keys, 'denied_override_keys');
  const both = allowed.find((key) => denied.includes(key));
  if (both !== undefined) {
    throw validationError('policy', `override key "${both}" is both allowed and denied`);
  }
  return {
    allow_overrides: policy.allow_overrides ?? DEFAULT_POLICY.allow_overrides,
    allowed_override_keys: allowed,
    denied_override_keys: denied,
    read_only: policy.read_only ?? DEFAULT_POLICY.read_only,
  };
};

export const normalizeExtensions = (extensions: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(extensions)) {
    const key = parseExtensionKey(rawKey);
    if (key === undefined) throw validationError(`extensions.${rawKey}`, 'invalid extension key');
    if (Object.hasOwn(out, key)) throw validationError(`extensions.${rawKey}`, `duplicate extension key "${key}"`);
    out[key] = value;
  }
  return out;
};

export const normalizeStack = (stack: StackRefInput[]): StackRef[] =>
  stack.map((ref, index) => {
    const profileSlug = parseSlug(ref.profile_slug);
    if (profileSlug === undefined) throw validationError(`stack[${index}].profile_slug`, 'invalid profile slug');
    const out: StackRef = { profile_slug: profileSlug };
    if (ref.registry_slug !== undefined) {
      const registrySlug = parseSlug(ref.registry_slug);
      if (registrySlug === undefined) throw validationError(`stack[${index}].registry_slug`, 'invalid registry');
      out.registry_slug = registrySlug;
    }
    return out;
  });

const normalizeTags = (tags: string[]): string[] =>
  tags.map((tag, index) => {
    if (isBlank(tag)) throw validationError(`metadata.tags[${index}]`, 'must not be blank');
    return tag.trim();
  });

const optionalText = (value: string | null | undefined): string | undefined =>
  value === null || value === undefined || value === '' ? undefined : value;

/**
 * The patch rule: every present field replaces the one in `base`; absent fields are kept. A
 * secret sent back as "***" keeps the stored one (refused where it cannot: see secrets.ts).
 */
export const applyProfileFields = (base: ProfileContent, input: ProfileFieldsInput): ProfileContent => applyFields(base, input, true);

const applyFields = (base: ProfileContent, input: ProfileFieldsInput, restoreSecrets: boolean): ProfileContent => {
  const next: ProfileContent = { ...base };
  if (input.display_name !== undefined) next.display_name = optionalText(input.display_name);
  if (input.description !== undefined) next.description = optionalText(input.description);
  const reenter: FieldError[] = [];
  const restored = <T>(value: T, stored: unknown, areas: SecretAreas, pointer: string): T => {
    if (!restoreSecrets) return value;
    const result = restoreStoredSecrets(value, stored, areas, pointer);
    reenter.push(...result.reenter);
    return result.value;
  };
  if (input.runtime !== undefined) next.runtime = restored(normalizeRuntime(input.runtime), base.runtime, SECRET_AREAS.runtime, '/runtime');
  if (input.policy !== undefined) next.policy = normalizePolicy(input.policy);
  if (input.extensions !== undefined) {
    next.extensions = restored(normalizeExtensions(input.extensions), base.extensions, SECRET_AREAS.extensions, '/extensions');
  }
  if (reenter.length > 0) throw secretsToReenter(reenter);
  if (input.stack !== undefined) next.stack = normalizeStack(input.stack);
  if (input.metadata?.tags !== undefined) next.tags = normalizeTags(input.metadata.tags);
  if (next.display_name === undefined) delete next.display_name;
  if (next.description === undefined) delete next.description;
  return next;
};

export const emptyProfile = (slug: string): ProfileContent => ({
  slug,
  runtime: {},
  policy: { ...DEFAULT_POLICY, allowed_override_keys: [], denied_override_keys: [] },
  extensions: {},
  stack: [],
  tags: [],
});

/** A profile's content as a file or body writes it ("***" stays as written: whoever stores it judges it). */
export const newProfileContent = (slug: string, input: ProfileFieldsInput): ProfileContent => applyFields(emptyProfile(slug), input, false);
