import { z } from 'zod';
import { registryNotFound } from '../../domain/errors.js';
import { createRegistryBodySchema, patchRegistryBodySchema } from '../../domain/profile-schemas.js';
import { SECRET_AREAS } from '../../domain/secrets.js';
import { listRegistrySummariesJson, readRegistryPayload } from '../../projections/read-model.js';
import { pastRegistryPayload } from '../../projections/past-documents.js';
import type { WriteResult } from '../../use-cases/write-result.js';
import type { RegistryStore } from '../../use-cases/registry-store.js';
import { executeGuardedWrite, sendJsonWithEtag } from '../conditional-requests.js';
import { executeWrite } from '../idempotent-write.js';
import { pastPointOf } from '../past-point-input.js';
import { mayAccessRegistry, requireRegistryAccess, scopeOf, visibleItems } from '../auth/scope.js';
import { pageRequestOf, sendListPage, wantsPage } from '../list-paging.js';
import { registrySummaryPage } from '../../projections/list-pages.js';
import type { RoutesPlugin } from '../route-schema.js';
import { ETAG, IDEMPOTENT_REPLAYED, jsonAnswer, LOCATION, noContent, NOT_MODIFIED } from '../schemas/answers.js';
import { registryDocumentSchema, registrySummariesSchema, registrySummaryPageSchema } from '../schemas/documents.js';
import { registryParams } from '../schemas/params.js';
import { problemResponses } from '../schemas/problems.js';
import { expectedVersionQuery, listPageQuery, pastPointQuerySchema, revealQuerySchema } from '../schemas/query.js';
import { shownJson } from '../secret-output.js';
import { guardedWriteHeaders, writeHeaders } from '../schemas/headers.js';

const json = 'application/json; charset=utf-8';

const registryEtag = (version: number): string => `"r${version}"`;

const etagOf = (result: WriteResult): Record<string, string> => ({ etag: registryEtag(result.registryVersion) });

const TAGS = ['registries'];
const WRITE_HEADERS = { ...ETAG, ...IDEMPOTENT_REPLAYED };

/** Registry CRUD (API.md section 3, Registries). */
export const registryRoutes: RoutesPlugin<{ store: RegistryStore }> = async (app, { store }) => {
  const db = store.db;

  /** The registry's current ETag and version, for If-Match. */
  const currentRegistry = async (registry: string) => {
    const row = await readRegistryPayload(db, registry);
    return row && { etag: registryEtag(row.version), version: row.version };
  };

  app.get(
    '/api/registries',
    {
      config: { role: 'reader' },
      schema: {
        operationId: 'listRegistries',
        tags: TAGS,
        summary: 'List the live registries',
        querystring: z.looseObject(listPageQuery),
        response: {
          200: jsonAnswer(
            z.union([registrySummariesSchema, registrySummaryPageSchema]),
            'registry summaries in slug order: all of them, or a page `{items, next_cursor}` when `limit`, `cursor` or `q` is given',
          ),
          ...problemResponses(),
        },
      },
    },
    async (request, reply) => {
      if (wantsPage(request.query)) {
        const page = await registrySummaryPage(db, pageRequestOf(request.query), (registry) => mayAccessRegistry(request, registry));
        return sendListPage(request, reply, page);
      }
      const all = await listRegistrySummariesJson(db);
      if (!scopeOf(request).limited) return reply.type(json).send(all);
      const visible = visibleItems(request, JSON.parse(all) as { slug: string }[], (summary) => summary.slug);
      return reply.type(json).send(JSON.stringify(visible));
    },
  );

  app.get(
    '/api/registries/:registry',
    {
      config: { role: 'reader' },
      schema: {
        operationId: 'getRegistry',
        tags: TAGS,
        summary: 'Read a registry with its profiles, now or as it was at a version or time',
        params: registryParams,
        querystring: pastPointQuerySchema.omit({ registry: true }),
        response: { 200: jsonAnswer(registryDocumentSchema, 'the registry', ETAG), 304: NOT_MODIFIED, ...problemResponses() },
      },
    },
    async (request, reply) => {
      const registry = requireRegistryAccess(request, request.params.registry);
      const point = pastPointOf(request.query);
      if (point) {
        const past = await pastRegistryPayload(db, registry, point);
        return reply.header('etag', past.etag).type(json).send(shownJson(request, past.json, SECRET_AREAS.registry));
      }
      const row = await readRegistryPayload(db, registry);
      if (!row) throw registryNotFound();
      return sendJsonWithEtag(request, reply, shownJson(request, row.payload_json, SECRET_AREAS.registry), registryEtag(row.version));
    },
  );

  app.post(
    '/api/registries',
    {
      config: { role: 'admin' },
      schema: {
        operationId: 'createRegistry',
        tags: TAGS,
        summary: 'Create a registry',
        headers: writeHeaders,
        querystring: revealQuerySchema,
        body: createRegistryBodySchema,
        response: {
          200: jsonAnswer(registryDocumentSchema, 'an Idempotency-Key replay of the creation', WRITE_HEADERS),
          201: jsonAnswer(registryDocumentSchema, 'the created registry', { ...WRITE_HEADERS, ...LOCATION }),
          ...problemResponses({ body: true, also: [409, 422] }),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const registry = requireRegistryAccess(request, body.slug);
      return executeWrite(
        store,
        request,
        reply,
        () => ({
          type: 'create_registry',
          registry,
          display_name: body.display_name,
          description: body.description,
          unknown_middlewares: body.unknown_middlewares,
          unknown_extensions: body.unknown_extensions,
        }),
        (result) => ({
          status: 201,
          body: result.registryJson && shownJson(request, result.registryJson, SECRET_AREAS.registry),
          headers: { location: `/api/registries/${encodeURIComponent(registry)}`, ...etagOf(result) },
        }),
      );
    },
  );

  app.patch(
    '/api/registries/:registry',
    {
      config: { role: 'admin' },
      schema: {
        operationId: 'updateRegistry',
        tags: TAGS,
        summary: "Change a registry's names, default profile or schema policies",
        headers: guardedWriteHeaders,
        params: registryParams,
        querystring: revealQuerySchema,
        body: patchRegistryBodySchema,
        response: { 200: jsonAnswer(registryDocumentSchema, 'the changed registry', WRITE_HEADERS), ...problemResponses({ body: true, also: [409, 412, 422] }) },
      },
    },
    async (request, reply) => {
      const registry = requireRegistryAccess(request, request.params.registry);
      const body = request.body;
      return executeGuardedWrite(
        store,
        request,
        reply,
        () => currentRegistry(registry),
        (ifMatchVersion) => ({
          type: 'update_registry',
          registry,
          display_name: body.display_name,
          description: body.description,
          default_profile_slug: body.default_profile_slug,
          unknown_middlewares: body.unknown_middlewares,
          unknown_extensions: body.unknown_extensions,
          expected_version: ifMatchVersion ?? body.expected_version,
        }),
        (result) => ({
          status: 200,
          body: result.registryJson && shownJson(request, result.registryJson, SECRET_AREAS.registry),
          headers: etagOf(result),
        }),
      );
    },
  );

  app.delete(
    '/api/registries/:registry',
    {
      config: { role: 'admin' },
      schema: {
        operationId: 'deleteRegistry',
        tags: TAGS,
        summary: 'Delete a registry (its events stay; the default registry cannot be deleted)',
        headers: guardedWriteHeaders,
        params: registryParams,
        querystring: z.looseObject({ expected_version: expectedVersionQuery }),
        response: { 204: noContent('deleted'), ...problemResponses({ also: [409, 412, 422] }) },
      },
    },
    async (request, reply) => {
      const registry = requireRegistryAccess(request, request.params.registry);
      const expectedVersion = request.query.expected_version;
      return executeGuardedWrite(
        store,
        request,
        reply,
        () => currentRegistry(registry),
        (ifMatchVersion) => ({ type: 'delete_registry', registry, expected_version: ifMatchVersion ?? expectedVersion }),
        () => ({ status: 204 }),
      );
    },
  );
};
