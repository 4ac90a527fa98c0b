import type { FastifyInstance } from 'fastify';
import { registryNotFound } from '../../domain/errors.js';
import { parseWith } from '../../domain/parse-input.js';
import { createRegistryBodySchema, patchRegistryBodySchema } from '../../domain/profile-schemas.js';
import { SECRET_AREAS } from '../../domain/secrets.js';
import { requireProfileSlug, requireRegistrySlug } from '../../domain/slug.js';
import { listRegistrySummariesJson, readRegistryPayload } from '../../projections/read-model.js';
import { pastRegistryPayload } from '../../projections/past-documents.js';
import type { RegistryStore, WriteResult } from '../../projections/registry-store.js';
import { executeGuardedWrite, sendJsonWithEtag } from '../conditional-requests.js';
import { executeWrite } from '../idempotent-write.js';
import { pastPointOf } from '../past-point-input.js';
import { mayAccessRegistry, requireRegistryAccess } from '../auth/access-control.js';
import { objectBody, parseExpectedVersion, queryValue, registrySlugParam } from '../request-input.js';
import { shownJson } from '../secret-output.js';

const json = 'application/json; charset=utf-8';

const registryEtag = (version: number): string => `"r${version}"`;

const etagOf = (result: WriteResult): Record<string, string> => ({ etag: registryEtag(result.registryVersion) });

/** Registry CRUD (API.md section 3, Registries). */
export const registerRegistryRoutes = (app: FastifyInstance, store: RegistryStore): void => {
  const db = store.db;

  /** The registry's current ETag and version, for If-Match. */
  const currentRegistry = async (registry: string) => {
    const row = await readRegistryPayload(db, registry);
    return row && { etag: registryEtag(row.version), version: row.version };
  };

  app.get('/api/registries', { config: { role: 'reader' } }, async (request, reply) => {
    const all = await listRegistrySummariesJson(db);
    if (request.caller?.registries === undefined) return reply.type(json).send(all);
    const visible = (JSON.parse(all) as { slug: string }[]).filter((summary) => mayAccessRegistry(request, summary.slug));
    return reply.type(json).send(JSON.stringify(visible));
  });

  app.get('/api/registries/:registry', { config: { role: 'reader' } }, async (request, reply) => {
    const registry = registrySlugParam(request);
    const point = pastPointOf(request);
    if (point) {
      const past = await pastRegistryPayload(db, registry, point);
      return reply.header('etag', past.etag).type(json).send(shownJson(request, past.json, SECRET_AREAS.registry));
    }
    const row = await readRegistryPayload(db, registry);
    if (!row) throw registryNotFound();
    return sendJsonWithEtag(request, reply, shownJson(request, row.payload_json, SECRET_AREAS.registry), registryEtag(row.version));
  });

  app.post('/api/registries', { config: { role: 'admin' } }, async (request, reply) => {
    const body = parseWith(createRegistryBodySchema, objectBody(request));
    const registry = requireRegistryAccess(request, requireRegistrySlug(body.slug));
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
  });

  app.patch('/api/registries/:registry', { config: { role: 'admin' } }, async (request, reply) => {
    const registry = registrySlugParam(request);
    const body = parseWith(patchRegistryBodySchema, objectBody(request));
    const expectedVersion = parseExpectedVersion(body.expected_version);
    const defaultProfile =
      body.default_profile_slug === undefined || body.default_profile_slug === null
        ? body.default_profile_slug
        : requireProfileSlug(body.default_profile_slug);
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
        default_profile_slug: defaultProfile,
        unknown_middlewares: body.unknown_middlewares,
        unknown_extensions: body.unknown_extensions,
        expected_version: ifMatchVersion ?? expectedVersion,
      }),
      (result) => ({
        status: 200,
        body: result.registryJson && shownJson(request, result.registryJson, SECRET_AREAS.registry),
        headers: etagOf(result),
      }),
    );
  });

  app.delete('/api/registries/:registry', { config: { role: 'admin' } }, async (request, reply) => {
    const registry = registrySlugParam(request);
    const expectedVersion = parseExpectedVersion(queryValue(request, 'expected_version'));
    return executeGuardedWrite(
      store,
      request,
      reply,
      () => currentRegistry(registry),
      (ifMatchVersion) => ({ type: 'delete_registry', registry, expected_version: ifMatchVersion ?? expectedVersion }),
      () => ({ status: 204 }),
    );
  });
};
