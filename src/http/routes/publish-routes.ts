import { signingUnavailable } from '../../domain/errors.js';
import { setDefaultBodySchema } from '../../domain/profile-schemas.js';
import { readProfileDocument } from '../../projections/read-model.js';
import type { RegistryStore } from '../../use-cases/registry-store.js';
import { executeGuardedWrite } from '../conditional-requests.js';
import { registryOf } from '../request-input.js';
import type { RoutesPlugin } from '../route-schema.js';
import { ETAG, IDEMPOTENT_REPLAYED, jsonAnswer } from '../schemas/answers.js';
import { profileDocumentSchema } from '../schemas/documents.js';
import { profileParams } from '../schemas/params.js';
import { problemResponses } from '../schemas/problems.js';
import { documentQuerySchema } from '../schemas/query.js';
import { documentAnswer } from './profile-routes.js';
import { guardedWriteHeaders } from '../schemas/headers.js';

/**
 * `POST /api/chat/profiles/{slug}/publish` (admin): signs the profile's current version with the
 * last key of `--signing-keys-file`. The signature is an event of the registry's stream: the
 * registry version grows by one, the profile's version does not (its content did not change).
 */
export const publishRoutes: RoutesPlugin<{ store: RegistryStore }> = async (app, { store }) => {
  app.post(
    '/api/chat/profiles/:slug/publish',
    {
      config: { role: 'admin' },
      schema: {
        operationId: 'publishProfile',
        tags: ['profiles'],
        summary: "Sign a profile's current version with the server's signing key",
        headers: guardedWriteHeaders,
        params: profileParams,
        querystring: documentQuerySchema,
        body: setDefaultBodySchema,
        response: {
          200: jsonAnswer(profileDocumentSchema, 'the signed profile (`signature_valid: true`)', { ...ETAG, ...IDEMPOTENT_REPLAYED }),
          ...problemResponses({ body: true, also: [409, 412, 422] }),
        },
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const body = request.body;
      const registry = registryOf(request, body.registry, request.query.registry);
      const expectedVersion = body.expected_version;
      const keys = store.signingKeys;
      if (!keys) {
        throw signingUnavailable();
      }
      return executeGuardedWrite(
        store,
        request,
        reply,
        () => readProfileDocument(store.db, registry, slug),
        (ifMatchVersion) => ({ type: 'publish_profile', registry, slug, key: keys.signing, expected_version: ifMatchVersion ?? expectedVersion }),
        (result) => documentAnswer(request, keys, result, 200),
      );
    },
  );
};
