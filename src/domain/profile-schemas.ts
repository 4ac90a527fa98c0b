import { z } from 'zod';
import { expectedVersionField } from './expected-version-field.js';
import { unknownNamesPolicySchema } from './schema-documents.js';
import { optionalRegistryField, profileSlugField, registrySlugField } from './slug-fields.js';

/** Request-side shapes of a profile (API.md section 1). Strict: unknown fields are refused. */

const jsonObject = z.record(z.string(), z.unknown());

export const middlewareSchema = z.strictObject({
  name: z.string(),
  id: z.string().optional(),
  enabled: z.boolean().optional(),
  config: z.unknown().optional(),
});

export const runtimeSchema = z.strictObject({
  step_settings_patch: z.record(z.string(), jsonObject).optional(),
  system_prompt: z.string().optional(),
  middlewares: z.array(middlewareSchema).optional(),
  tools: z.array(z.string()).optional(),
});

export const policySchema = z.strictObject({
  allow_overrides: z.boolean().optional(),
  allowed_override_keys: z.array(z.string()).optional(),
  denied_override_keys: z.array(z.string()).optional(),
  read_only: z.boolean().optional(),
});

export const stackRefSchema = z.strictObject({
  registry_slug: z.string().optional(),
  profile_slug: z.string(),
});

/** Clients may send the metadata they read back; only `tags` is taken from them. */
export const clientMetadataSchema = z.looseObject({ tags: z.array(z.string()).optional() });

const profileFields = {
  display_name: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  runtime: runtimeSchema.optional(),
  policy: policySchema.optional(),
  extensions: jsonObject.optional(),
  stack: z.array(stackRefSchema).optional(),
  metadata: clientMetadataSchema.optional(),
  set_default: z.boolean().optional(),
};

/** The registry a profile body names (it wins over `?registry=`). */
const bodyRegistry = optionalRegistryField('the registry (wins over `?registry=`)');

export const createProfileBodySchema = z.strictObject({
  registry: bodyRegistry,
  slug: profileSlugField(),
  ...profileFields,
});

export const patchProfileBodySchema = z.strictObject({
  registry: bodyRegistry,
  expected_version: expectedVersionField,
  ...profileFields,
});

export type MiddlewareInput = z.infer<typeof middlewareSchema>;
export type RuntimeInput = z.infer<typeof runtimeSchema>;
export type PolicyInput = z.infer<typeof policySchema>;
export type StackRefInput = z.infer<typeof stackRefSchema>;
export type CreateProfileBody = z.infer<typeof createProfileBodySchema>;
export type PatchProfileBody = z.infer<typeof patchProfileBodySchema>;

export const setDefaultBodySchema = z.strictObject({
  registry: bodyRegistry,
  expected_version: expectedVersionField,
});

const optionalText = z.string().nullable().optional();

export const createRegistryBodySchema = z.strictObject({
  slug: registrySlugField(),
  display_name: z.string().optional(),
  description: z.string().optional(),
  unknown_middlewares: unknownNamesPolicySchema.optional(),
  unknown_extensions: unknownNamesPolicySchema.optional(),
});

export const patchRegistryBodySchema = z.strictObject({
  display_name: optionalText,
  description: optionalText,
  default_profile_slug: profileSlugField('the default profile (null: none)').nullable().optional(),
  unknown_middlewares: unknownNamesPolicySchema.optional(),
  unknown_extensions: unknownNamesPolicySchema.optional(),
  expected_version: expectedVersionField,
});
