import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationError } from '../../domain/errors.js';
import { classifyDocument, detectInputFormat } from '../../domain/input-format.js';
import { registriesOf, schemasOf } from '../../domain/profiles-file.js';
import { SECRET_AREAS } from '../../domain/secrets.js';
import { bundleJson, bundleYaml } from '../../domain/write-registry-bundle.js';
import { exportBundle } from '../../projections/export-bundle.js';
import { importRegistries } from '../../projections/import-registries.js';
import type { RegistryStore } from '../../projections/registry-store.js';
import { commandContext, registrySlugParam } from '../request-input.js';
import { shownValue } from '../secret-output.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

const wantsJson = (request: FastifyRequest): boolean => {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !YAML_TYPES.some((type) => accept.includes(type));
};

/** YAML / JSON import and export of one registry (API.md section 4, over HTTP). */
export const registerImportExportRoutes = (app: FastifyInstance, store: RegistryStore): void => {
  // encapsulated, so that YAML bodies are accepted by these routes only (and plain text is not taken for YAML)
  void app.register(async (scoped) => {
    scoped.removeContentTypeParser('text/plain');
    scoped.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

    scoped.post('/api/registries/:registry/import', { config: { role: 'admin' } }, async (request, reply) => {
      const registry = registrySlugParam(request);
      const body = request.body;
      const detected = typeof body === 'string' ? detectInputFormat(body) : classifyDocument(body);
      const imported = registriesOf(detected, registry).find((each) => each.slug === registry);
      if (!imported) throw validationError('registries', `the body holds no registry "${registry}"`);
      const [outcome] = await importRegistries(store, [imported], commandContext(request, 'import'), undefined, schemasOf(detected));
      return reply.type('application/json; charset=utf-8').send({
        registry,
        format: detected.format,
        profiles: Object.keys(imported.profiles).length,
        events: outcome.events,
        version: outcome.version,
      });
    });

    scoped.get('/api/registries/:registry/export', { config: { role: 'reader' } }, async (request, reply) => {
      const bundle = shownValue(request, await exportBundle(store.db, { registry: registrySlugParam(request) }), SECRET_AREAS.bundle);
      if (wantsJson(request)) return reply.type('application/json; charset=utf-8').send(bundleJson(bundle));
      return reply.type('application/yaml; charset=utf-8').send(bundleYaml(bundle));
    });
  });
};
