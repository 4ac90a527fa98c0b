import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { forbidden, validationError } from '../../domain/errors.js';
import { classifyDocument } from '../../domain/input-format.js';
import { registriesOf, schemasOf } from '../../domain/profiles-file.js';
import { SECRET_AREAS } from '../../domain/secrets.js';
import { bundleJson, bundleYaml } from '../../domain/write-registry-bundle.js';
import { exportBundle } from '../../use-cases/export-bundle.js';
import { importRegistries, schemasChangedBy } from '../../use-cases/import-registries.js';
import type { RegistryStore } from '../../use-cases/registry-store.js';
import { GLOBAL_ONLY } from '../auth/access-control.js';
import { requireRegistryAccess, scopeOf } from '../auth/scope.js';
import { commandContext } from '../request-input.js';
import type { RoutesPlugin } from '../route-schema.js';
import { jsonAnswer } from '../schemas/answers.js';
import { bundleSchema, importResultSchema } from '../schemas/documents.js';
import { registryParams } from '../schemas/params.js';
import { problemResponses } from '../schemas/problems.js';
import { revealQuerySchema } from '../schemas/query.js';
import { shownValue } from '../secret-output.js';
import { actorHeaders } from '../schemas/headers.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

const wantsJson = (request: FastifyRequest): boolean => {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !YAML_TYPES.some((type) => accept.includes(type));
};

const importBodySchema = z.record(z.string(), z.unknown()).meta({
  description:
    'a `registries:` bundle (as export answers it), a single registry `{slug, profiles, ...}`, or a legacy map of profiles; JSON only (convert YAML first, e.g. `yq -o json`)',
});

const TAGS = ['import and export'];

/** JSON import and YAML / JSON export of one registry (API.md section 4, over HTTP). Like every write, import takes JSON only. */
export const importExportRoutes: RoutesPlugin<{ store: RegistryStore }> = async (app, { store }) => {
  app.post(
    '/api/registries/:registry/import',
    {
      config: { role: 'admin' },
      schema: {
        operationId: 'importRegistry',
        tags: TAGS,
        summary: 'Import the registry a document holds: the changes as new events (again: none)',
        headers: actorHeaders,
        params: registryParams,
        body: importBodySchema,
        response: { 200: jsonAnswer(importResultSchema, 'what was imported'), ...problemResponses({ body: true, also: [409, 422] }) },
      },
    },
    async (request, reply) => {
      const registry = requireRegistryAccess(request, request.params.registry);
      const body = request.body;
      const detected = classifyDocument(Object.keys(body).length === 0 ? undefined : body);
      const imported = registriesOf(detected, registry).find((each) => each.slug === registry);
      if (!imported) throw validationError('registries', `the body holds no registry "${registry}"`);
      const schemas = schemasOf(detected);
      // schemas are global: a token limited to registries may bring along only schemas already registered as they are
      if (scopeOf(request).limited && (await schemasChangedBy(store.db, schemas)).length > 0) {
        throw forbidden(GLOBAL_ONLY);
      }
      const [outcome] = await importRegistries(store, [imported], commandContext(request, 'import'), undefined, schemas);
      return reply.type('application/json; charset=utf-8').send({
        registry,
        format: detected.format,
        profiles: Object.keys(imported.profiles).length,
        events: outcome.events,
        version: outcome.version,
      });
    },
  );

  app.get(
    '/api/registries/:registry/export',
    {
      config: { role: 'reader' },
      schema: {
        operationId: 'exportRegistry',
        tags: TAGS,
        summary: 'Export a registry as a bundle: YAML, or JSON for Accept: application/json',
        params: registryParams,
        querystring: revealQuerySchema,
        response: {
          200: {
            description: 'the registry as a `registries:` bundle (secrets as "***")',
            content: { 'application/yaml': { schema: z.string() }, 'application/json': { schema: bundleSchema } },
          },
          ...problemResponses(),
        },
      },
    },
    async (request, reply) => {
      const registry = requireRegistryAccess(request, request.params.registry);
      const bundle = shownValue(request, await exportBundle(store.db, { registry }), SECRET_AREAS.bundle);
      if (wantsJson(request)) return reply.type('application/json; charset=utf-8').send(bundleJson(bundle));
      return reply.type('application/yaml; charset=utf-8').send(bundleYaml(bundle));
    },
  );
};
