import { z } from 'zod';
import { expectedVersionField } from './expected-version-field.js';

/**
 * The JSON Schemas a registry owns for middleware configs and profile extensions (API.md,
 * "Schemas of middlewares and extensions"). The list items are the shapes pinocchio's web-chat
 * answered and go-go-os's chat runtime decodes.
 */
export type SchemaKind = 'middleware' | 'extension';

export interface MiddlewareSchemaDocument {
  name: string;
  /** The middleware's own version, as its author declares it (not the registry's revision). */
  version: number;
  display_name?: string;
  description?: string;
  schema: unknown;
}

export interface ExtensionSchemaDocument {
  key: string;
  schema: unknown;
}

export type SchemaDocument = MiddlewareSchemaDocument | ExtensionSchemaDocument;

/** A middleware's document with its fields in the order pinocchio wrote them, absent ones left out. */
export const middlewareSchemaDocument = (input: MiddlewareSchemaDocument): MiddlewareSchemaDocument => {
  const out = { name: input.name, version: input.version } as MiddlewareSchemaDocument;
  if (input.display_name !== undefined) out.display_name = input.display_name;
  if (input.description !== undefined) out.description = input.description;
  out.schema = input.schema;
  return out;
};

/**
 * Whether names without a schema are accepted in a registry's profiles (absent: allow). For
 * middlewares `allow` is the default of API.md: refused anyway once the catalog has entries
 * (`policiesInForce`); `refuse` refuses them even while it is empty.
 */
export type UnknownNamesPolicy = 'allow' | 'refuse';

export interface SchemaPolicies {
  unknown_middlewares?: UnknownNamesPolicy;
  unknown_extensions?: UnknownNamesPolicy;
}

export const unknownNamesPolicySchema = z.enum(['allow', 'refuse']);

// an object: the chat clients' decoders take `schema` as one (draft 2020-12 would also allow a boolean)
const jsonSchemaValue = z.record(z.string(), z.unknown());

export const putMiddlewareSchemaBodySchema = z.strictObject({
  version: z.number().int().min(0),
  display_name: z.string().optional(),
  description: z.string().optional(),
  schema: jsonSchemaValue,
  expected_version: expectedVersionField,
  force: z.boolean().optional(),
});

export const putExtensionSchemaBodySchema = z.strictObject({
  schema: jsonSchemaValue,
  expected_version: expectedVersionField,
  force: z.boolean().optional(),
});

/** The `schemas:` section of a bundle: the list items of the two routes. */
export const bundleSchemasSchema = z.strictObject({
  middlewares: z
    .array(
      z.strictObject({
        name: z.string(),
        version: z.number().int().min(0),
        display_name: z.string().optional(),
        description: z.string().optional(),
        schema: jsonSchemaValue,
      }),
    )
    .optional(),
  extensions: z.array(z.strictObject({ key: z.string(), schema: jsonSchemaValue })).optional(),
});

export interface BundleSchemas {
  middlewares: MiddlewareSchemaDocument[];
  extensions: ExtensionSchemaDocument[];
}

/** The name a schema is registered under: a middleware's name, an extension's key. */
export const schemaNameOf = (document: SchemaDocument): string => ('key' in document ? document.key : document.name);
