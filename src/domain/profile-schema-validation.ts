import { type FieldError, schemaValidationFailed } from './errors.js';
import { compiledSchema, jsonPointer, schemaErrors } from './json-schema-check.js';
import type { ProfileContent } from './profile.js';
import type { SchemaKind, SchemaPolicies } from './schema-documents.js';

/** A registered schema as validation needs it: its revision (the compile cache key) and the schema. */
export interface RegisteredSchema {
  version: number;
  schema: unknown;
}

/** The registered schemas: one by kind and name, and whether a kind's catalog has any entry. */
export interface SchemaLookup {
  (kind: SchemaKind, name: string): RegisteredSchema | undefined;
  readonly hasEntries: (kind: SchemaKind) => boolean;
}

/**
 * The policies in force for a registry's `policies`: once the middleware catalog has entries, a
 * middleware without a schema is refused in every registry (API.md, as pinocchio answers
 * "unknown middleware"); before that only where the registry says `unknown_middlewares: refuse`.
 * Extensions without a schema are refused only where the registry says so.
 */
export const policiesInForce = (policies: SchemaPolicies, middlewareCatalogHasEntries: boolean): SchemaPolicies =>
  middlewareCatalogHasEntries && policies.unknown_middlewares !== 'refuse' ? { ...policies, unknown_middlewares: 'refuse' } : policies;

const NONE: FieldError[] = [];
const KINDS: readonly SchemaKind[] = ['middleware', 'extension'];

const validatorOf = (kind: SchemaKind, name: string, registered: RegisteredSchema) =>
  compiledSchema(`${kind}/${name}`, registered.version, registered.schema);

/**
 * What is wrong with one named part (a middleware's config, an extension's value) at the JSON
 * pointer `base()` (built only for an error): it fails its schema, or it has none and the registry
 * refuses unknown names. Empty when fine: the hot path of every profile write, so it allocates nothing then.
 */
const partErrors = (
  kind: SchemaKind,
  name: string,
  value: unknown,
  base: () => string,
  registered: RegisteredSchema | undefined,
  policy: SchemaPolicies[keyof SchemaPolicies],
): FieldError[] => {
  if (registered === undefined) {
    if (policy !== 'refuse') return NONE;
    const path = kind === 'middleware' ? `${base()}/name` : base();
    return [{ path, message: `no schema is registered for ${kind} "${name}"` }];
  }
  const validate = validatorOf(kind, name, registered);
  if (validate(value)) return NONE;
  return schemaErrors(validate, value, kind === 'middleware' ? `${base()}/config` : base());
};

/** Calls `each` with every part of a profile that a schema of `kind` governs; stops at the first errors. */
const firstPartErrors = (
  content: ProfileContent,
  kind: SchemaKind,
  each: (name: string, value: unknown, base: () => string) => FieldError[],
): FieldError[] => {
  if (kind === 'middleware') {
    const middlewares = content.runtime.middlewares;
    if (middlewares === undefined) return NONE;
    for (let index = 0; index < middlewares.length; index++) {
      const middleware = middlewares[index];
      const errors = each(middleware.name, middleware.config ?? {}, () => jsonPointer(['runtime', 'middlewares', index]));
      if (errors.length > 0) return errors;
    }
    return NONE;
  }
  for (const key in content.extensions) {
    if (!Object.hasOwn(content.extensions, key)) continue;
    const errors = each(key, content.extensions[key], () => jsonPointer(['extensions', key]));
    if (errors.length > 0) return errors;
  }
  return NONE;
};

const policyOf = (kind: SchemaKind, policies: SchemaPolicies) =>
  kind === 'middleware' ? policies.unknown_middlewares : policies.unknown_extensions;

/**
 * Every way a profile's middleware configs and extensions disagree with the registered schemas
 * (or name something without a schema where that is refused: `policiesInForce`). Paths are
 * JSON pointers into the profile. Stops at the first failing part.
 */
export const profileSchemaErrors = (content: ProfileContent, lookup: SchemaLookup, policies: SchemaPolicies = {}): FieldError[] => {
  const inForce = policiesInForce(policies, lookup.hasEntries('middleware'));
  for (const kind of KINDS) {
    const policy = policyOf(kind, inForce);
    const errors = firstPartErrors(content, kind, (name, value, base) => partErrors(kind, name, value, base, lookup(kind, name), policy));
    if (errors.length > 0) return errors;
  }
  return NONE;
};

/**
 * The errors of the parts of a profile named `name` of `kind` only, were that schema `registered`
 * (undefined: deleted): how a schema change would leave a stored profile. `policies` are those in
 * force after the change (`policiesInForce`).
 */
export const schemaUseErrors = (
  content: ProfileContent,
  kind: SchemaKind,
  name: string,
  registered: RegisteredSchema | undefined,
  policies: SchemaPolicies = {},
): FieldError[] => {
  const policy = policyOf(kind, policies);
  return firstPartErrors(content, kind, (partName, value, base) =>
    partName === name ? partErrors(kind, name, value, base, registered, policy) : NONE,
  );
};

/** Refuses a profile that its registry's schemas do not accept (400, `errors[].path` JSON pointers). */
export const checkProfileSchemas = (content: ProfileContent, lookup: SchemaLookup, policies: SchemaPolicies = {}): void => {
  const errors = profileSchemaErrors(content, lookup, policies);
  if (errors.length > 0) throw schemaValidationFailed(errors);
};
