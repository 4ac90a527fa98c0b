import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { parseWith } from '../../domain/parse-input.js';
import { setDefaultBodySchema } from '../../domain/profile-schemas.js';
import { readProfileDocument } from '../../projections/read-model.js';
import type { RegistryStore } from '../../projections/registry-store.js';
import { executeGuardedWrite } from '../conditional-requests.js';
import { objectBody, parseExpectedVersion, profileSlugParam, registryOf } from '../request-input.js';
import { documentAnswer } from './profile-routes.js';

/**
 * `POST /api/chat/profiles/{slug}/publish` (admin): signs the profile's current version with the
 * last key of `--signing-keys-file`. The signature is an event of the registry's stream: the
 * registry version grows by one, the profile's version does not (its content did not change).
 */
export const registerPublishRoutes = (app: FastifyInstance, store: RegistryStore): void => {
  app.post('/api/chat/profiles/:slug/publish', { config: { role: 'admin' } }, async (request, reply) => {
    const slug = profileSlugParam(request);
    const body = parseWith(setDefaultBodySchema, objectBody(request));
    const registry = registryOf(request, body.registry);
    const expectedVersion = parseExpectedVersion(body.expected_version);
    const keys = store.signingKeys;
    if (!keys) {
      throw new DomainError('signing_unavailable', 'publishing needs a signing key: start the server with --signing-keys-file');
    }
    return executeGuardedWrite(
      store,
      request,
      reply,
      () => readProfileDocument(store.db, registry, slug),
      (ifMatchVersion) => ({ type: 'publish_profile', registry, slug, key: keys.signing, expected_version: ifMatchVersion ?? expectedVersion }),
      (result) => documentAnswer(request, keys, result, 200),
    );
  });
};
