import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { validationError } from '../../domain/errors.js';
import {
  putExtensionSchemaBodySchema,
  putMiddlewareSchemaBodySchema,
  middlewareSchemaDocument,
  type SchemaDocument,
  type SchemaKind,
} from '../../domain/schema-documents.js';
import { parseExtensionKey } from '../../domain/slug.js';
import type { WriteResult } from '../../use-cases/write-result.js';
import type { RegistryStore } from '../../use-cases/registry-store.js';
import { listSchemasJson, readSchemaHistory, readSchemaJson, type SchemaVersion } from '../../projections/schema-reads.js';
import type { BrokenProfile } from '../../events/event-types.js';
import { visibleItems } from '../auth/scope.js';
import { executeWrite, type WriteAnswer, type WriteRequest } from '../idempotent-write.js';
import { writeHeaders } from '../schemas/headers.js';
import type { RoutesPlugin } from '../route-schema.js';
import { IDEMPOTENT_REPLAYED, jsonAnswer, noContent } from '../schemas/answers.js';
import { extensionSchemasSchema, middlewareSchemasSchema, schemaDocumentSchema, schemaHistorySchema } from '../schemas/documents.js';
import { problemResponses } from '../schemas/problems.js';
import { asOfQuery, expectedVersionQuery, forceQuery } from '../schemas/query.js';

const json = 'application/json; charset=utf-8';

interface KindRoutes {
  kind: SchemaKind;
  /** `Middleware` or `Extension`, in operationIds. */
  title: string;
  path: string;
  /** The path parameter: the name, normalized as profiles store it, or a 400. */
  nameParams: z.ZodType<{ name: string }>;
  list: z.ZodType;
}

/** What a PUT registers: the document, and the write's conditions. */
interface SchemaPut {
  document: SchemaDocument;
  expected_version?: number;
  force?: boolean;
}

/** The path's `name`, parsed by `nameOf`; `pattern` is what it accepts as sent. */
const nameParams = (description: string, nameOf: (raw: string) => string, pattern: string) =>
  z.object({ name: z.string().transform(nameOf).meta({ description, pattern }) });

const MIDDLEWARE_NAME = '\\S';
const middlewareName = (raw: string): string => {
  const name = raw.trim();
  if (name === '') throw validationError('name', 'must not be blank');
  return name;
};

/** An extension key as sent: `namespace.feature@vN`, any case, surrounding spaces allowed (then trimmed and lower-cased). */
const PART = '[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?';
const EXTENSION_KEY_INPUT = `^\\s*${PART}\\.${PART}@[vV][1-9][0-9]{0,4}\\s*$`;
const extensionKeyInput = new RegExp(EXTENSION_KEY_INPUT);
const extensionKey = (raw: string): string => {
  const key = extensionKeyInput.test(raw) ? parseExtensionKey(raw) : undefined;
  if (key === undefined) throw validationError('name', 'invalid extension key');
  return key;
};

const MIDDLEWARES: KindRoutes = {
  kind: 'middleware',
  title: 'Middleware',
  path: '/api/chat/schemas/middlewares',
  nameParams: nameParams('the middleware name (trimmed; not blank)', middlewareName, MIDDLEWARE_NAME),
  list: middlewareSchemasSchema,
};

const EXTENSIONS: KindRoutes = {
  kind: 'extension',
  title: 'Extension',
  path: '/api/chat/schemas/extensions',
  nameParams: nameParams('the extension key, `namespace.feature@vN` (trimmed and lower-cased)', extensionKey, EXTENSION_KEY_INPUT),
  list: extensionSchemasSchema,
};

/** A version of a schema's history as the caller may see it: a forced change lists only the broken profiles it may read. */
const scopedSchemaVersion = (request: FastifyRequest, version: SchemaVersion): SchemaVersion => {
  const forced = version.forced as { broken?: BrokenProfile[] } | undefined;
  if (forced?.broken === undefined) return version;
  const broken = visibleItems(request, forced.broken, (profile) => profile.registry);
  return broken.length === forced.broken.length ? version : { ...version, forced: { ...forced, broken } };
};

const schemaAnswer = (result: WriteResult): WriteAnswer => ({ status: result.created ? 201 : 200, body: result.schemaJson });

const TAGS = ['schemas'];

/**
 * The schema registry (API.md, "Schemas of middlewares and extensions"): the two list routes
 * pinocchio's web-chat served, and the admin routes that change a schema through the command bus.
 * `config.role` is what the auth hook enforces when auth is on.
 */
export const schemaRoutes: RoutesPlugin<{ store: RegistryStore }> = async (app, { store }) => {
  const db = store.db;
  const routesOf = ({ kind, title, path, nameParams: params, list }: KindRoutes) => {
    app.get(
      path,
      {
        config: { role: 'reader' },
        schema: {
          operationId: `list${title}Schemas`,
          tags: TAGS,
          summary: `The ${kind} schemas, now or as they were at a time`,
          querystring: z.looseObject({ as_of: asOfQuery }),
          response: { 200: jsonAnswer(list, `the ${kind} schemas (\`[]\` when none)`), ...problemResponses() },
        },
      },
      async (request, reply) => {
        return reply.type(json).send(await listSchemasJson(db, kind, request.query.as_of));
      },
    );

    app.get(
      `${path}/:name`,
      {
        config: { role: 'reader' },
        schema: {
          operationId: `get${title}Schema`,
          tags: TAGS,
          summary: `One ${kind} schema`,
          params,
          response: { 200: jsonAnswer(schemaDocumentSchema, `the ${kind} schema document`), ...problemResponses() },
        },
      },
      async (request, reply) => reply.type(json).send(await readSchemaJson(db, kind, request.params.name)),
    );

    app.get(
      `${path}/:name/history`,
      {
        config: { role: 'reader' },
        schema: {
          operationId: `get${title}SchemaHistory`,
          tags: TAGS,
          summary: `The versions of a ${kind} schema`,
          params,
          response: { 200: jsonAnswer(schemaHistorySchema, 'the versions of the schema'), ...problemResponses() },
        },
      },
      async (request) => {
        const { name } = request.params;
        const versions = (await readSchemaHistory(db, kind, name)).map((version) => scopedSchemaVersion(request, version));
        return { kind, name, versions };
      },
    );

    app.delete(
      `${path}/:name`,
      {
        config: { role: 'admin', global: true },
        schema: {
          operationId: `delete${title}Schema`,
          tags: TAGS,
          summary: `Remove a ${kind} schema (refused while stored profiles use it, unless forced)`,
          params,
          headers: writeHeaders,
          querystring: z.looseObject({
            expected_version: expectedVersionQuery,
            force: forceQuery('`true`: remove it even though stored profiles use it'),
          }),
          response: { 204: noContent('removed'), ...problemResponses({ also: [409, 422] }) },
        },
      },
      async (request, reply) => {
        const { name } = request.params;
        const { expected_version: expectedVersion, force } = request.query;
        return executeWrite(
          store,
          request,
          reply,
          () => ({ type: 'delete_schema', kind, name, expected_version: expectedVersion, force }),
          () => ({ status: 204 }),
        );
      },
    );
  };
  routesOf(MIDDLEWARES);
  routesOf(EXTENSIONS);

  const putSchema = ({ kind, title, nameParams: params }: KindRoutes) => ({
    operationId: `put${title}Schema`,
    tags: TAGS,
    summary: `Register or replace a ${kind} schema (stored profiles must still validate unless forced)`,
    params,
    headers: writeHeaders,
    response: {
      200: jsonAnswer(schemaDocumentSchema, 'the replaced schema', IDEMPOTENT_REPLAYED),
      201: jsonAnswer(schemaDocumentSchema, 'the new schema', IDEMPOTENT_REPLAYED),
      ...problemResponses({ body: true, also: [409, 422] }),
    },
  });
  const put = (request: WriteRequest, reply: FastifyReply, kind: SchemaKind, name: string, { document, expected_version, force }: SchemaPut) => {
    return executeWrite(
      store,
      request,
      reply,
      () => ({ type: 'put_schema', kind, name, document, expected_version, force }),
      schemaAnswer,
    );
  };
  app.put(
    `${MIDDLEWARES.path}/:name`,
    { config: { role: 'admin', global: true }, schema: { ...putSchema(MIDDLEWARES), params: MIDDLEWARES.nameParams, body: putMiddlewareSchemaBodySchema } },
    async (request, reply) => {
      const { name } = request.params;
      const { expected_version, force, version, display_name, description, schema } = request.body;
      const document = middlewareSchemaDocument({ name, version, display_name, description, schema });
      return put(request, reply, 'middleware', name, { document, expected_version, force });
    },
  );
  app.put(
    `${EXTENSIONS.path}/:name`,
    { config: { role: 'admin', global: true }, schema: { ...putSchema(EXTENSIONS), params: EXTENSIONS.nameParams, body: putExtensionSchemaBodySchema } },
    async (request, reply) => {
      const { name } = request.params;
      const { expected_version, force, schema } = request.body;
      return put(request, reply, 'extension', name, { document: { key: name, schema }, expected_version, force });
    },
  );
};
