import type { FastifyInstance, FastifyRequest } from 'fastify';
import { registryNotFound } from '../../domain/errors.js';
import { parseWith } from '../../domain/parse-input.js';
import { createRegistryBodySchema, patchRegistryBodySchema } from '../../domain/profile-schemas.js';
import { requireProfileSlug, requireRegistrySlug } from '../../domain/slug.js';
import { listRegistrySummariesJson, readRegistryPayload } from '../../projections/read-model.js';
import type { RegistryStore } from '../../projections/registry-store.js';
import { checkIfMatch, guardedWrite, sendJsonWithEtag } from '../conditional-requests.js';
import { commandContext, objectBody, parseExpectedVersion, queryValue, registrySlugParam } from '../request-input.js';

const json = 'application/json; charset=utf-8';

const registryEtag = (version: number): string => `"r${version}"`;

/** Registry CRUD (API.md section 3, Registries). */
export const registerRegistryRoutes = (app: FastifyInstance, store: RegistryStore): void => {
  const db = store.db;

  /** With If-Match: the registry version its tag names, checked again atomically by the write (412 when stale). */
  const ifMatchVersion = async (request: FastifyRequest, registry: string): Promise<number | undefined> => {
    if (request.headers['if-match'] === undefined) return undefined;
    const row = await readRegistryPayload(db, registry);
    checkIfMatch(request, row && registryEtag(row.version));
    return row?.version;
  };

  app.get('/api/registries', async (_request, reply) => reply.type(json).send(await listRegistrySummariesJson(db)));

  app.get('/api/registries/:registry', async (request, reply) => {
    const registry = registrySlugParam(request);
    const row = await readRegistryPayload(db, registry);
    if (!row) throw registryNotFound();
    return sendJsonWithEtag(request, reply, row.payload_json, registryEtag(row.version));
  });

  app.post('/api/registries', async (request, reply) => {
    const body = parseWith(createRegistryBodySchema, objectBody(request));
    const registry = requireRegistrySlug(body.slug);
    const { rendered } = await store.execute(
      { type: 'create_registry', registry, display_name: body.display_name, description: body.description },
      commandContext(request),
    );
    reply.header('location', `/api/registries/${encodeURIComponent(registry)}`);
    return sendJsonWithEtag(request, reply, rendered.registryJson as string, registryEtag(rendered.registryVersion), 201);
  });

  app.patch('/api/registries/:registry', async (request, reply) => {
    const registry = registrySlugParam(request);
    const body = parseWith(patchRegistryBodySchema, objectBody(request));
    const expectedVersion = parseExpectedVersion(body.expected_version);
    const defaultProfile =
      body.default_profile_slug === undefined || body.default_profile_slug === null
        ? body.default_profile_slug
        : requireProfileSlug(body.default_profile_slug);
    const ifMatch = await ifMatchVersion(request, registry);
    const { rendered } = await guardedWrite(ifMatch, () =>
      store.execute(
        {
          type: 'update_registry',
          registry,
          display_name: body.display_name,
          description: body.description,
          default_profile_slug: defaultProfile,
          expected_version: ifMatch ?? expectedVersion,
        },
        commandContext(request),
      ),
    );
    return sendJsonWithEtag(request, reply, rendered.registryJson as string, registryEtag(rendered.registryVersion));
  });

  app.delete('/api/registries/:registry', async (request, reply) => {
    const registry = registrySlugParam(request);
    const expectedVersion = parseExpectedVersion(queryValue(request, 'expected_version'));
    const ifMatch = await ifMatchVersion(request, registry);
    await guardedWrite(ifMatch, () =>
      store.execute({ type: 'delete_registry', registry, expected_version: ifMatch ?? expectedVersion }, commandContext(request)),
    );
    return reply.status(204).send();
  });
};
