import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationError } from '../../domain/errors.js';
import { parseAsOf } from '../../domain/past-point.js';
import { parseWith } from '../../domain/parse-input.js';
import {
  putExtensionSchemaBodySchema,
  putMiddlewareSchemaBodySchema,
  middlewareSchemaDocument,
  type SchemaDocument,
  type SchemaKind,
} from '../../domain/schema-documents.js';
import { parseExtensionKey } from '../../domain/slug.js';
import type { RegistryStore, WriteResult } from '../../projections/registry-store.js';
import { listSchemasJson, readSchemaHistory, readSchemaJson } from '../../projections/schema-reads.js';
import { executeWrite, type WriteAnswer } from '../idempotent-write.js';
import { objectBody, parseExpectedVersion, queryValue } from '../request-input.js';

const json = 'application/json; charset=utf-8';

interface KindRoutes {
  kind: SchemaKind;
  path: string;
  /** The name a path segment gives, normalized as profiles store it, or a 400. */
  nameOf(raw: string): string;
  /** The document a PUT body registers under `name`. */
  documentOf(name: string, body: Record<string, unknown>): { document: SchemaDocument; expected_version?: unknown; force?: boolean };
}

const middlewareName = (raw: string): string => {
  const name = raw.trim();
  if (name === '') throw validationError('name', 'must not be blank');
  return name;
};

const extensionKey = (raw: string): string => {
  const key = parseExtensionKey(raw);
  if (key === undefined) throw validationError('key', 'invalid extension key');
  return key;
};

const KINDS: KindRoutes[] = [
  {
    kind: 'middleware',
    path: '/api/chat/schemas/middlewares',
    nameOf: middlewareName,
    documentOf: (name, raw) => {
      const { expected_version, force, version, display_name, description, schema } = parseWith(putMiddlewareSchemaBodySchema, raw);
      return { document: middlewareSchemaDocument({ name, version, display_name, description, schema }), expected_version, force };
    },
  },
  {
    kind: 'extension',
    path: '/api/chat/schemas/extensions',
    nameOf: extensionKey,
    documentOf: (key, raw) => {
      const { expected_version, force, schema } = parseWith(putExtensionSchemaBodySchema, raw);
      return { document: { key, schema }, expected_version, force };
    },
  },
];

const nameParam = (request: FastifyRequest): string => (request.params as { name: string }).name;

const parseForce = (raw: string | undefined): boolean | undefined => {
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw validationError('force', 'must be true or false');
};

const schemaAnswer = (result: WriteResult): WriteAnswer => ({ status: result.created ? 201 : 200, body: result.schemaJson });

/**
 * The schema registry (API.md, "Schemas of middlewares and extensions"): the two list routes
 * pinocchio's web-chat served, and the admin routes that change a schema through the command bus.
 * `config.role` is what the auth hook enforces when auth is on.
 */
export const registerSchemaRoutes = (app: FastifyInstance, store: RegistryStore): void => {
  const db = store.db;
  for (const { kind, path, nameOf, documentOf } of KINDS) {
    app.get(path, { config: { role: 'reader' } }, async (request, reply) => {
      const asOf = queryValue(request, 'as_of');
      return reply.type(json).send(await listSchemasJson(db, kind, asOf === undefined ? undefined : parseAsOf(asOf)));
    });

    app.get(`${path}/:name`, { config: { role: 'reader' } }, async (request, reply) =>
      reply.type(json).send(await readSchemaJson(db, kind, nameOf(nameParam(request)))),
    );

    app.get(`${path}/:name/history`, { config: { role: 'reader' } }, async (request) => {
      const name = nameOf(nameParam(request));
      return { kind, name, versions: await readSchemaHistory(db, kind, name) };
    });

    app.put(`${path}/:name`, { config: { role: 'admin' } }, async (request, reply) => {
      const name = nameOf(nameParam(request));
      const { document, expected_version, force } = documentOf(name, objectBody(request));
      const expectedVersion = parseExpectedVersion(expected_version);
      return executeWrite(
        store,
        request,
        reply,
        () => ({ type: 'put_schema', kind, name, document, expected_version: expectedVersion, force }),
        schemaAnswer,
      );
    });

    app.delete(`${path}/:name`, { config: { role: 'admin' } }, async (request, reply) => {
      const name = nameOf(nameParam(request));
      const expectedVersion = parseExpectedVersion(queryValue(request, 'expected_version'));
      const force = parseForce(queryValue(request, 'force'));
      return executeWrite(
        store,
        request,
        reply,
        () => ({ type: 'delete_schema', kind, name, expected_version: expectedVersion, force }),
        () => ({ status: 204 }),
      );
    });
  }
};
