import { z } from 'zod';

/**
 * What the routes answer (API.md sections 1 and 3). Objects are open (`looseObject`): a client
 * may rely on the fields named here; the test of the OpenAPI document checks real answers against them.
 */

const int = z.number().int();
const json = z.record(z.string(), z.unknown());

export const jsonPatchSchema = z.array(
  z.looseObject({ op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']), path: z.string(), value: z.unknown().optional() }),
).meta({ description: 'RFC 6902 changes' });

export const profileDocumentSchema = z
  .looseObject({
    registry: z.string(),
    slug: z.string(),
    display_name: z.string().optional(),
    description: z.string().optional(),
    runtime: json.optional(),
    policy: json.optional(),
    metadata: z.looseObject({ version: int, source: z.string().optional(), tags: z.array(z.string()).optional() }),
    extensions: json.optional(),
    stack: z.array(z.looseObject({ registry_slug: z.string().optional(), profile_slug: z.string() })).optional(),
    is_default: z.boolean(),
    fingerprint: z.string(),
    signature: json.nullable().optional(),
    signature_valid: z.boolean().optional(),
  })
  .meta({ description: 'a profile document (secrets shown as "***")' });

export const profileSummariesSchema = z
  .array(
    z.looseObject({
      registry: z.string(),
      slug: z.string(),
      display_name: z.string().optional(),
      description: z.string().optional(),
      version: int,
      is_default: z.boolean().optional(),
    }),
  )
  .meta({ description: 'profiles sorted by slug' });

/** A page of a list (API.md, Lists at scale): asked for with `limit`, `cursor` or `q`. */
const listPage = (items: z.ZodType, what: string) =>
  z
    .object({ items, next_cursor: z.string().nullable().meta({ description: 'the `cursor` of the next page; null on the last page' }) })
    .meta({ description: `a page of ${what}` });

export const profileSummaryPageSchema = listPage(profileSummariesSchema, 'profiles, in slug then registry order');

export const registryDocumentSchema = z
  .looseObject({
    slug: z.string(),
    display_name: z.string().optional(),
    description: z.string().optional(),
    default_profile_slug: z.string().optional(),
    profiles: z.record(z.string(), json),
    metadata: z.looseObject({ version: int }),
  })
  .meta({ description: 'a registry with its profiles' });

export const registrySummariesSchema = z
  .array(
    z.looseObject({
      slug: z.string(),
      display_name: z.string().optional(),
      description: z.string().optional(),
      default_profile_slug: z.string().optional(),
      profile_count: int,
      version: int,
      updated_at_ms: int,
    }),
  )
  .meta({ description: 'live registries' });

/** Why events were written when more than an edit (`metadata.cause` of the events): a restore or an import. */
export const eventCauseSchema = z
  .union([
    z.object({ type: z.literal('restore'), to_version: int, as_of_ms: int.optional() }),
    z.object({ type: z.literal('import'), source_version: int.optional() }),
  ])
  .meta({ description: 'present when the change was a restore (to which version, or as of which time) or an import' });

export const registrySummaryPageSchema = listPage(registrySummariesSchema, 'registries, in slug order');

export const eventsPageSchema = z.object({
  events: z.array(
    z.looseObject({
      position: int,
      registry: z.string(),
      version: int,
      type: z.string(),
      profile: z.string().optional(),
      actor: z.string(),
      on_behalf_of: z.string().optional(),
      source: z.string(),
      at_ms: int,
      cause: eventCauseSchema.optional(),
      data: z.unknown().meta({ description: 'what the event records; left out with `data=false`' }),
    }),
  ),
  next_after: int,
  at_end: z.boolean().meta({ description: 'no later event passes the filters (ask again from `next_after` when false)' }),
});

export const profileHistorySchema = z.object({
  registry: z.string(),
  profile: z.string(),
  versions: z.array(
    z.looseObject({
      version: int,
      type: z.string(),
      actor: z.string(),
      source: z.string(),
      at_ms: int,
      cause: eventCauseSchema.optional(),
      changes: jsonPatchSchema,
    }),
  ),
  next_before_version: int.nullable().meta({ description: '`before_version` of the next (older) page; null when this page reaches the first version' }),
});

export const diffSchema = z.object({ from: int, to: int, changes: jsonPatchSchema });

export const dryRunSchema = z.object({ changes: jsonPatchSchema }).meta({ description: 'what a dry run would change' });

export const registryRestoreSchema = z.looseObject({ changes: jsonPatchSchema }).meta({ description: 'the registry version reached and its changes' });

export const resolvedSchema = z.looseObject({
  registry: z.string(),
  profile: z.string(),
  source: z.enum(['path', 'body', 'query', 'runtime', 'cookie', 'registry_default', 'default']),
  runtime_key: z.string(),
  profile_version: int,
  runtime: json,
  fingerprint: z.string(),
  stack_lineage: z
    .array(z.looseObject({ registry_slug: z.string(), profile_slug: z.string(), version: int, source: z.string() }))
    .meta({ description: 'the merged layers, base first; `source` is the write that made each version' }),
  stack_trace: z
    .array(
      z.looseObject({
        path: z.string(),
        value: z.unknown(),
        registry_slug: z.string(),
        profile_slug: z.string(),
        profile_version: int,
        layer_index: int,
        source: z.enum(['profile', 'request']),
      }),
    )
    .meta({ description: 'for each value of the effective runtime (JSON pointer), the layer that set it' }),
  extensions: json.meta({
    description: 'the merged extensions of the stack, with each middleware config also at `middleware.<name>_config@v1` (`instances` by `id:<id>` or `index:<n>`), where pinocchio reads them',
  }),
  signature: json.nullable(),
  signature_valid: z.boolean(),
});

export const profileSelectionSchema = z.object({ slug: z.string(), profile: z.string(), registry: z.string() });

export const importResultSchema = z.object({
  registry: z.string(),
  format: z.enum(['canonical-registries', 'single-registry', 'legacy-map']),
  profiles: int,
  events: int,
  version: int,
});

export const bundleSchema = z
  .looseObject({ registries: z.record(z.string(), json) })
  .meta({ description: 'a registries bundle (as `profile-registry import` reads it)' });

const middlewareSchemaItem = z.looseObject({
  name: z.string(),
  version: int,
  display_name: z.string().optional(),
  description: z.string().optional(),
  schema: json,
});
const extensionSchemaItem = z.looseObject({ key: z.string(), schema: json });

export const middlewareSchemasSchema = z.array(middlewareSchemaItem).meta({ description: 'sorted by name' });
export const extensionSchemasSchema = z.array(extensionSchemaItem).meta({ description: 'sorted by key' });
export const schemaDocumentSchema = z.union([middlewareSchemaItem, extensionSchemaItem]);
export const schemaHistorySchema = z.object({ kind: z.enum(['middleware', 'extension']), name: z.string(), versions: z.array(json) });

const feedItem = z.looseObject({
  position: int,
  registry: z.string(),
  profile: z.string().optional(),
  type: z.string().meta({ description: 'the event type; `stack.changed` when a change outside the token\'s registries moved these profiles' }),
  cause: eventCauseSchema.optional(),
  version: int.optional().meta({ description: "the registry's version after the change (absent on `stack.changed`)" }),
  affected: z.array(
    z.looseObject({
      registry: z.string(),
      profile: z.string(),
      profile_version: int.nullable().optional().meta({ description: "the profile's version as of this change (null once deleted)" }),
      fingerprint: z.string().nullable().meta({ description: 'the effective runtime fingerprint as of this change (null once deleted)' }),
      default: z.literal(true).optional().meta({ description: "a default switch: the registry's default now resolves to this profile" }),
    }),
  ),
});

export const changesPollSchema = z.object({
  changes: z.array(feedItem),
  next_after: int,
  identity: z.string().meta({ description: 'the store identity: resume with `?after=<identity>:<next_after>`' }),
});

export const eventStreamSchema = z.string().meta({
  description:
    'Server-Sent Events: `id: <identity>:<position>`, `event: change`, `data: {position, registry, profile?, type, version, affected}`; `event: reset`, `data: {identity, head, reason}` when the position resumed from belongs to another store identity or lies beyond the newest event; heartbeat comments',
});

export const statusSchema = z.object({ status: z.string() });
