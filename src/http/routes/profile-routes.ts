import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { profileNotFound, registryNotFound } from '../../domain/errors.js';
import { parseWith } from '../../domain/parse-input.js';
import type { ProfileFieldsInput } from '../../domain/profile.js';
import { createProfileBodySchema, patchProfileBodySchema, setDefaultBodySchema } from '../../domain/profile-schemas.js';
import { SECRET_AREAS } from '../../domain/secrets.js';
import { requireProfileSlug } from '../../domain/slug.js';
import type { Command } from '../../events/commands.js';
import {
  listAllProfileSummaries,
  listProfileSummaries,
  readProfileDocument,
  registryExists,
} from '../../projections/read-model.js';
import { pastProfileDocument } from '../../projections/past-documents.js';
import type { RegistryStore, WriteResult } from '../../projections/registry-store.js';
import { pastProfileDocumentOfAnyRegistry, registryOfLiveProfile } from '../../projections/unnamed-registry-reads.js';
import { mayAccessRegistry, revealsSecrets } from '../auth/access-control.js';
import { executeGuardedWrite, sendJsonWithEtag } from '../conditional-requests.js';
import { containsQuery, sendContainingProfiles } from '../contains-query.js';
import { shownJson } from '../secret-output.js';
import { pastPointOf } from '../past-point-input.js';
import { executeWrite, type WriteAnswer } from '../idempotent-write.js';
import { signedDocument, withSignatureValid, verdictOf } from '../signed-documents.js';
import type { SigningKeys } from '../../domain/signing-keys.js';
import {
  namedRegistry,
  objectBody,
  parseExpectedVersion,
  profileSlugParam,
  queryValue,
  registryOf,
} from '../request-input.js';

const profileFields = (body: ProfileFieldsInput): ProfileFieldsInput => ({
  display_name: body.display_name,
  description: body.description,
  runtime: body.runtime,
  policy: body.policy,
  extensions: body.extensions,
  stack: body.stack,
  metadata: body.metadata,
});

/** A write's answer: the document it left (secrets shown as "***"; `signature_valid` once published), with its ETag. */
export const documentAnswer = (
  request: FastifyRequest,
  keys: SigningKeys | undefined,
  result: WriteResult,
  status: number,
  headers: Record<string, string> = {},
): WriteAnswer => {
  const document = result.document;
  if (!document) throw profileNotFound();
  const shown = shownJson(request, document.json, SECRET_AREAS.profile);
  const body = withSignatureValid(shown, document.profile, verdictOf(keys, document.registry, document.profile));
  return { status, body, headers: { ...headers, etag: document.etag } };
};

const location = (registry: string, slug: string): string =>
  `/api/chat/profiles/${encodeURIComponent(slug)}?registry=${encodeURIComponent(registry)}`;

/** The pinocchio-compatible profile CRUD routes (API.md section 3, Profiles). */
export const registerProfileRoutes = (app: FastifyInstance, store: RegistryStore): void => {
  const db = store.db;

  /** Runs a profile write (guarded by If-Match when sent) and answers with what `answer` makes of it. */
  const writeProfile = (
    request: FastifyRequest,
    reply: FastifyReply,
    registry: string,
    slug: string,
    build: (ifMatchVersion: number | undefined) => Command,
    answer: (result: WriteResult) => WriteAnswer,
  ) => executeGuardedWrite(store, request, reply, () => readProfileDocument(db, registry, slug), build, answer);

  app.get('/api/chat/profiles', { config: { role: 'reader' } }, async (request, reply) => {
    const contains = containsQuery(request);
    if (contains !== undefined) return sendContainingProfiles(db, request, reply, contains);
    const registry = namedRegistry(request);
    const summaries =
      registry === undefined ? await listAllProfileSummaries(db, request.caller?.registries) : await listProfileSummaries(db, registry);
    if (registry !== undefined && summaries.count === 0 && !(await registryExists(db, registry))) throw registryNotFound();
    return reply.type('application/json; charset=utf-8').send(revealsSecrets(request) ? summaries.revealed : summaries.body);
  });

  app.get('/api/chat/profiles/:slug', { config: { role: 'reader' } }, async (request, reply) => {
    const slug = profileSlugParam(request);
    const named = namedRegistry(request);
    const point = pastPointOf(request);
    if (point) {
      const past =
        named === undefined
          ? await pastProfileDocumentOfAnyRegistry(db, slug, point, (registry) => mayAccessRegistry(request, registry))
          : { ...(await pastProfileDocument(db, named, slug, point)), registry: named };
      const shown = shownJson(request, past.json, SECRET_AREAS.profile);
      return sendJsonWithEtag(request, reply, signedDocument(request, store.signingKeys, past.registry, slug, shown, past.profile), past.etag);
    }
    const registry = named ?? (await registryOfLiveProfile(db, slug, (candidate) => mayAccessRegistry(request, candidate)));
    const row = registry === undefined ? undefined : await readProfileDocument(db, registry, slug);
    if (!row || registry === undefined) {
      if (registry !== undefined && !(await registryExists(db, registry))) throw registryNotFound();
      throw profileNotFound();
    }
    const shown = revealsSecrets(request) ? row.revealed : row.body;
    return sendJsonWithEtag(request, reply, signedDocument(request, store.signingKeys, registry, slug, shown, row.signed), row.etag);
  });

  app.post('/api/chat/profiles', { config: { role: 'editor' } }, async (request, reply) => {
    const body = parseWith(createProfileBodySchema, objectBody(request));
    const registry = registryOf(request, body.registry);
    const slug = requireProfileSlug(body.slug);
    return executeWrite(
      store,
      request,
      reply,
      () => ({ type: 'create_profile', registry, slug, fields: profileFields(body), set_default: body.set_default }),
      (result) => documentAnswer(request, store.signingKeys, result, 201, { location: location(registry, slug) }),
    );
  });

  app.patch('/api/chat/profiles/:slug', { config: { role: 'editor' } }, async (request, reply) => {
    const slug = profileSlugParam(request);
    const raw = objectBody(request);
    const expectedVersion = parseExpectedVersion(raw.expected_version ?? queryValue(request, 'expected_version'));
    const body = parseWith(patchProfileBodySchema, { ...raw, expected_version: undefined });
    const registry = registryOf(request, body.registry);
    return writeProfile(
      request,
      reply,
      registry,
      slug,
      (ifMatchVersion) => ({
        type: 'update_profile',
        registry,
        slug,
        fields: profileFields(body),
        set_default: body.set_default,
        expected_version: ifMatchVersion ?? expectedVersion,
      }),
      (result) => documentAnswer(request, store.signingKeys, result, 200),
    );
  });

  app.delete('/api/chat/profiles/:slug', { config: { role: 'editor' } }, async (request, reply) => {
    const slug = profileSlugParam(request);
    const registry = registryOf(request);
    const expectedVersion = parseExpectedVersion(queryValue(request, 'expected_version'));
    return writeProfile(
      request,
      reply,
      registry,
      slug,
      (ifMatchVersion) => ({ type: 'delete_profile', registry, slug, expected_version: ifMatchVersion ?? expectedVersion }),
      () => ({ status: 204 }),
    );
  });

  app.post('/api/chat/profiles/:slug/default', { config: { role: 'editor' } }, async (request, reply) => {
    const slug = profileSlugParam(request);
    const body = parseWith(setDefaultBodySchema, objectBody(request));
    const registry = registryOf(request, body.registry);
    const expectedVersion = parseExpectedVersion(body.expected_version);
    return executeWrite(
      store,
      request,
      reply,
      () => ({ type: 'set_default_profile', registry, slug, expected_version: expectedVersion }),
      (result) => documentAnswer(request, store.signingKeys, result, 200),
    );
  });
};
