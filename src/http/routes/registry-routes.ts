import type { FastifyInstance } from 'fastify';
import { registryNotFound } from '../../domain/errors.js';
import { parseWith } from '../../domain/parse-input.js';
import { createRegistryBodySchema, patchRegistryBodySchema } from '../../domain/profile-schemas.js';
import { requireProfileSlug, requireRegistrySlug } from '../../domain/slug.js';
import { listRegistrySummariesJson, readRegistryPayload } from '../../projections/read-model.js';
import { pastRegistryPayload } from '../../projections/past-documents.js';
import type { RegistryStore } from '../../projections/registry-store.js';
import { executeWrite } from '../idempotent-write.js';
import { pastPointOf } from '../past-point-input.js';
import { objectBody, parseExpectedVersion, queryValue, registrySlugParam } from '../request-input.js';

const json = 'application/json; charset=utf-8';

/** Registry CRUD (API.md section 3, Registries). */
export const registerRegistryRoutes = (app: FastifyInstance, store: RegistryStore): void => {
  const db = store.db;

  app.get('/api/registries', async (_request, reply) => reply.type(json).send(await listRegistrySummariesJson(db)));

  app.get('/api/registries/:registry', async (request, reply) => {
    const registry = registrySlugParam(request);
    const point = pastPointOf(request);
    if (point) {
      const past = await pastRegistryPayload(db, registry, point);
      return reply.header('etag', past.etag).type(json).send(past.json);
    }
    const row = await readRegistryPayload(db, registry);
    if (!row) throw registryNotFound();
    return reply.header('etag', `"r${row.version}"`).type(json).send(row.payload_json);
  });

  app.post('/api/registries', async (request, reply) => {
    const body = parseWith(createRegistryBodySchema, objectBody(request));
    const registry = requireRegistrySlug(body.slug);
    return executeWrite(
      store,
      request,
      reply,
      () => ({ type: 'create_registry', registry, display_name: body.display_name, description: body.description }),
      (result) => ({
        status: 201,
        body: result.registryJson,
        headers: { location: `/api/registries/${encodeURIComponent(registry)}` },
      }),
    );
  });

  app.patch('/api/registries/:registry', async (request, reply) => {
    const registry = registrySlugParam(request);
    const body = parseWith(patchRegistryBodySchema, objectBody(request));
    const expectedVersion = parseExpectedVersion(body.expected_version);
    const defaultProfile =
      body.default_profile_slug === undefined || body.default_profile_slug === null
        ? body.default_profile_slug
        : requireProfileSlug(body.default_profile_slug);
    return executeWrite(
      store,
      request,
      reply,
      () => ({
        type: 'update_registry',
        registry,
        display_name: body.display_name,
        description: body.description,
        default_profile_slug: defaultProfile,
        expected_version: expectedVersion,
      }),
      (result) => ({ status: 200, body: result.registryJson }),
    );
  });

  app.delete('/api/registries/:registry', async (request, reply) => {
    const registry = registrySlugParam(request);
    const expectedVersion = parseExpectedVersion(queryValue(request, 'expected_version'));
    return executeWrite(
      store,
      request,
      reply,
      () => ({ type: 'delete_registry', registry, expected_version: expectedVersion }),
      () => ({ status: 204 }),
    );
  });
};
