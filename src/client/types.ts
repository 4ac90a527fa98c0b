import type { z } from 'zod';
import type { createProfileBodySchema, createRegistryBodySchema, patchProfileBodySchema, patchRegistryBodySchema } from '../domain/profile-schemas.js';
import type { restoreProfileBodySchema, restoreRegistryBodySchema } from '../domain/restore-schemas.js';
import type { putExtensionSchemaBodySchema, putMiddlewareSchemaBodySchema } from '../domain/schema-documents.js';
import type { resolveBodySchema } from '../http/schemas/bodies.js';
import type {
  bundleSchema,
  changesPollSchema,
  diffSchema,
  dryRunSchema,
  eventsPageSchema,
  extensionSchemasSchema,
  importResultSchema,
  middlewareSchemasSchema,
  profileDocumentSchema,
  profileHistorySchema,
  profileSummariesSchema,
  profileSummaryPageSchema,
  registryDocumentSchema,
  registryRestoreSchema,
  registrySummariesSchema,
  registrySummaryPageSchema,
  resolvedSchema,
  schemaDocumentSchema,
  schemaHistorySchema,
} from '../http/schemas/documents.js';
import type { problemSchema } from '../http/schemas/problem-document.js';
import type { sessionSchema } from '../http/routes/session-routes.js';

/**
 * The client's types, inferred from the zod schemas the routes validate and document with
 * (type-only imports: nothing of zod or of the server reaches the client's JavaScript).
 */

export type ProfileDocument = z.output<typeof profileDocumentSchema>;
export type ProfileSummary = z.output<typeof profileSummariesSchema>[number];
export type RegistryDocument = z.output<typeof registryDocumentSchema>;
export type RegistrySummary = z.output<typeof registrySummariesSchema>[number];
export type ProfileSummaryPage = Omit<z.output<typeof profileSummaryPageSchema>, 'items'> & { items: ProfileSummary[] };
export type RegistrySummaryPage = Omit<z.output<typeof registrySummaryPageSchema>, 'items'> & { items: RegistrySummary[] };
export type Session = z.output<typeof sessionSchema>;
/** Which layer of the stack set one value of a resolved runtime. */
export type StackTraceEntry = Resolved['stack_trace'][number];
export type EventsPage = z.output<typeof eventsPageSchema>;
export type ProfileHistory = z.output<typeof profileHistorySchema>;
export type Diff = z.output<typeof diffSchema>;
export type DryRun = z.output<typeof dryRunSchema>;
export type RegistryRestoreResult = z.output<typeof registryRestoreSchema>;
export type Resolved = z.output<typeof resolvedSchema>;
export type ImportResult = z.output<typeof importResultSchema>;
export type Bundle = z.output<typeof bundleSchema>;
export type MiddlewareSchemaItem = z.output<typeof middlewareSchemasSchema>[number];
export type ExtensionSchemaItem = z.output<typeof extensionSchemasSchema>[number];
export type SchemaDocument = z.output<typeof schemaDocumentSchema>;
export type SchemaHistory = z.output<typeof schemaHistorySchema>;
export type ChangesPage = z.output<typeof changesPollSchema>;
/** One frame of the change feed. */
export type Change = ChangesPage['changes'][number];
export type AffectedProfile = Change['affected'][number];
/** Why events were written when more than an edit: a restore (to which version or time) or an import. */
export type EventCause = NonNullable<ProfileHistory['versions'][number]['cause']>;
export type ProblemDetails = z.output<typeof problemSchema>;

export type CreateProfileInput = z.input<typeof createProfileBodySchema>;
export type UpdateProfileInput = Omit<z.input<typeof patchProfileBodySchema>, 'registry'>;
export type CreateRegistryInput = z.input<typeof createRegistryBodySchema>;
export type UpdateRegistryInput = z.input<typeof patchRegistryBodySchema>;
export type RestoreProfileInput = Omit<z.input<typeof restoreProfileBodySchema>, 'registry' | 'to_version'> & { to_version: number };
export type RestoreRegistryInput = Omit<z.input<typeof restoreRegistryBodySchema>, 'to_version' | 'as_of'> & {
  to_version?: number;
  as_of?: string | number;
};
export type ResolveInput = z.input<typeof resolveBodySchema>;
export type PutMiddlewareSchemaInput = z.input<typeof putMiddlewareSchemaBodySchema>;
export type PutExtensionSchemaInput = z.input<typeof putExtensionSchemaBodySchema>;
