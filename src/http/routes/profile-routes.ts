import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { profileNotFound, registryNotFound, validationError } from '../../domain/errors.js';
import type { ProfileFieldsInput } from '../../domain/profile.js';
import { createProfileBodySchema, patchProfileBodySchema, setDefaultBodySchema } from '../../domain/profile-schemas.js';
import { SECRET_AREAS } from '../../domain/secrets.js';
import type { Command } from '../../events/commands.js';
import {
  listAllProfileSummaries,
  listProfileSummaries,
  type DocumentRow,
  readProfileDocument,
  registryExists,
} from '../../projections/read-model.js';
import type { PastPoint } from '../../projections/time-travel.js';
import { profileSummaryPage } from '../../projections/list-pages.js';
import { pastProfileDocument } from '../../projections/past-documents.js';
import type { WriteResult } from '../../use-cases/write-result.js';
import type { RegistryStore } from '../../use-cases/registry-store.js';
import { pastProfileDocumentOfAnyRegistry, registryOfLiveProfile } from '../../projections/unnamed-registry-reads.js';
import { revealsSecrets } from '../auth/access-control.js';
import { mayAccessRegistry } from '../auth/scope.js';
import { executeGuardedWrite, type GuardedWriteRequest, sendJsonWithEtag } from '../conditional-requests.js';
import { refuseSecretMatch, sendContainingProfiles } from '../contains-query.js';
import { pageRequestOf, sendListPage, wantsPage } from '../list-paging.js';
import { shownJson } from '../secret-output.js';
import { pastPointOf } from '../past-point-input.js';
import { executeWrite, type WriteAnswer, type WriteRequest } from '../idempotent-write.js';
import { signedDocument, withSignatureValid, verdictOf } from '../signed-documents.js';
import type { SigningKeys } from '../../domain/signing-keys.js';
import { namedRegistry, registryOf } from '../request-input.js';
import type { RoutesPlugin } from '../route-schema.js';
import { ETAG, IDEMPOTENT_REPLAYED, jsonAnswer, LOCATION, noContent, NOT_MODIFIED } from '../schemas/answers.js';
import { profileDocumentSchema, profileSummariesSchema, profileSummaryPageSchema } from '../schemas/documents.js';
import { profileParams } from '../schemas/params.js';
import { problemResponses } from '../schemas/problems.js';
import {
  deleteQuerySchema,
  documentQuerySchema,
  expectedVersionQuery,
  containsQuery,
  listPageQuery,
  pastPointQuerySchema,
  registryQuery,
  requireSignedQuery,
  revealQuery,
} from '../schemas/query.js';
import { guardedWriteHeaders, writeHeaders } from '../schemas/headers.js';

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

const TAGS = ['profiles'];
const document = (description: string, headers = ETAG) => jsonAnswer(profileDocumentSchema, description, headers);
const WRITE_HEADERS = { ...ETAG, ...IDEMPOTENT_REPLAYED };

/** The pinocchio-compatible profile CRUD routes (API.md section 3, Profiles). */
export const profileRoutes: RoutesPlugin<{ store: RegistryStore }> = async (app, { store }) => {
  const db = store.db;

  /** Runs a profile write (guarded by If-Match when sent) and answers with what `answer` makes of it. */
  const writeProfile = (
    request: GuardedWriteRequest,
    reply: FastifyReply,
    registry: string,
    slug: string,
    build: (ifMatchVersion: number | undefined) => Command,
    answer: (result: WriteResult) => WriteAnswer,
  ) => executeGuardedWrite(store, request, reply, () => readProfileDocument(db, registry, slug), build, answer);

  /** Runs an unguarded profile write and answers with the document it left. */
  const writeDocument = (request: WriteRequest, reply: FastifyReply, command: Command, status: number, headers?: Record<string, string>) =>
    executeWrite(
      store,
      request,
      reply,
      () => command,
      (result) => documentAnswer(request, store.signingKeys, result, status, headers),
    );

  app.get(
    '/api/chat/profiles',
    {
      config: { role: 'reader' },
      schema: {
        operationId: 'listProfiles',
        tags: TAGS,
        summary: 'List the profiles of a registry, or of every registry',
        querystring: z.looseObject({
          registry: registryQuery,
          contains: containsQuery,
          reveal: revealQuery,
          ...listPageQuery,
        }),
        response: {
          200: jsonAnswer(
            z.union([profileSummariesSchema, profileSummaryPageSchema]),
            'profile summaries, sorted by slug (then registry): the whole list, or a page `{items, next_cursor}` when `limit`, `cursor` or `q` is given',
          ),
          ...problemResponses(),
        },
      },
    },
    async (request, reply) => {
      const { contains } = request.query;
      const paged = wantsPage(request.query);
      if (contains !== undefined && paged) throw validationError('contains', 'cannot be combined with limit, cursor or q');
      if (contains !== undefined) return sendContainingProfiles(db, request, reply, refuseSecretMatch(request, contains.value), request.query.registry);
      const registry = namedRegistry(request, request.query.registry);
      if (paged) {
        const pageRequest = pageRequestOf(request.query);
        if (registry !== undefined && !(mayAccessRegistry(request, registry) && (await registryExists(db, registry)))) throw registryNotFound();
        return sendListPage(request, reply, await profileSummaryPage(db, registry, pageRequest, (each) => mayAccessRegistry(request, each)));
      }
      const summaries =
        registry === undefined ? await listAllProfileSummaries(db, request.caller?.registries) : await listProfileSummaries(db, registry);
      if (registry !== undefined && summaries.count === 0 && !(await registryExists(db, registry))) throw registryNotFound();
      return reply.type('application/json; charset=utf-8').send(revealsSecrets(request) ? summaries.revealed : summaries.body);
    },
  );

  const sendDocument = (request: FastifyRequest, reply: FastifyReply, requireSigned: boolean, registry: string, slug: string, row: DocumentRow) => {
    const shown = revealsSecrets(request) ? row.revealed : row.body;
    return sendJsonWithEtag(request, reply, signedDocument(requireSigned, store.signingKeys, registry, slug, shown, row.signed), row.etag);
  };
  const readAndSend = async (
    request: FastifyRequest,
    reply: FastifyReply,
    requireSigned: boolean,
    slug: string,
    named: string | undefined,
    point: PastPoint | undefined,
    read: Promise<DocumentRow | undefined> | undefined,
  ) => {
    if (point) {
      const past =
        named === undefined
          ? await pastProfileDocumentOfAnyRegistry(db, slug, point, (registry) => mayAccessRegistry(request, registry))
          : { ...(await pastProfileDocument(db, named, slug, point)), registry: named };
      const shown = shownJson(request, past.json, SECRET_AREAS.profile);
      return sendJsonWithEtag(request, reply, signedDocument(requireSigned, store.signingKeys, past.registry, slug, shown, past.profile), past.etag);
    }
    const registry = named ?? (await registryOfLiveProfile(db, slug, (candidate) => mayAccessRegistry(request, candidate)));
    const row = registry === undefined ? undefined : await (read ?? readProfileDocument(db, registry, slug));
    if (!row || registry === undefined) {
      if (registry !== undefined && !(await registryExists(db, registry))) throw registryNotFound();
      throw profileNotFound();
    }
    return sendDocument(request, reply, requireSigned, registry, slug, row);
  };

  app.get(
    '/api/chat/profiles/:slug',
    {
      config: { role: 'reader' },
      schema: {
        operationId: 'getProfile',
        tags: TAGS,
        summary: 'Read a profile, now or as it was at a version or time',
        params: profileParams,
        querystring: pastPointQuerySchema.extend({ require_signed: requireSignedQuery }),
        response: { 200: document('the profile document'), 304: NOT_MODIFIED, ...problemResponses() },
      },
    },
    (request, reply) => {
      const { slug } = request.params;
      const named = namedRegistry(request, request.query.registry);
      const point = pastPointOf(request.query);
      const read = point || named === undefined ? undefined : readProfileDocument(db, named, slug);
      const requireSigned = request.query.require_signed === true;
      if (read instanceof Promise || read === undefined) return readAndSend(request, reply, requireSigned, slug, named, point, read);
      // a document kept in memory is answered now: no promise, no microtask between the request and its answer, and
      // nothing returned (the reply is a thenable: Fastify would wrap it and ask whether it was sent)
      sendDocument(request, reply, requireSigned, named as string, slug, read);
      return undefined;
    },
  );

  app.post(
    '/api/chat/profiles',
    {
      config: { role: 'editor' },
      schema: {
        operationId: 'createProfile',
        tags: TAGS,
        summary: 'Create a profile',
        headers: writeHeaders,
        querystring: documentQuerySchema,
        body: createProfileBodySchema,
        response: {
          200: document('an Idempotency-Key replay of the creation', WRITE_HEADERS),
          201: document('the created profile', { ...WRITE_HEADERS, ...LOCATION }),
          ...problemResponses({ body: true, also: [409, 422] }),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const registry = registryOf(request, body.registry, request.query.registry);
      const slug = body.slug;
      const command: Command = { type: 'create_profile', registry, slug, fields: profileFields(body), set_default: body.set_default };
      return writeDocument(request, reply, command, 201, { location: location(registry, slug) });
    },
  );

  app.patch(
    '/api/chat/profiles/:slug',
    {
      config: { role: 'editor' },
      schema: {
        operationId: 'updateProfile',
        tags: TAGS,
        summary: 'Change a profile: a present field replaces it, an absent one keeps it',
        headers: guardedWriteHeaders,
        params: profileParams,
        querystring: documentQuerySchema.extend({ expected_version: expectedVersionQuery }),
        body: patchProfileBodySchema,
        response: { 200: document('the changed profile', WRITE_HEADERS), ...problemResponses({ body: true, also: [409, 412, 422] }) },
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const body = request.body;
      const expectedVersion = body.expected_version ?? request.query.expected_version;
      const registry = registryOf(request, body.registry, request.query.registry);
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
    },
  );

  app.delete(
    '/api/chat/profiles/:slug',
    {
      config: { role: 'editor' },
      schema: {
        operationId: 'deleteProfile',
        tags: TAGS,
        summary: 'Delete a profile (its history stays)',
        headers: guardedWriteHeaders,
        params: profileParams,
        querystring: deleteQuerySchema,
        response: { 204: noContent('deleted'), ...problemResponses({ also: [409, 412, 422] }) },
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const registry = registryOf(request, request.query.registry);
      const expectedVersion = request.query.expected_version;
      return writeProfile(
        request,
        reply,
        registry,
        slug,
        (ifMatchVersion) => ({ type: 'delete_profile', registry, slug, expected_version: ifMatchVersion ?? expectedVersion }),
        () => ({ status: 204 }),
      );
    },
  );

  app.post(
    '/api/chat/profiles/:slug/default',
    {
      config: { role: 'editor' },
      schema: {
        operationId: 'setDefaultProfile',
        tags: TAGS,
        summary: "Make a profile its registry's default",
        headers: writeHeaders,
        params: profileParams,
        querystring: documentQuerySchema,
        body: setDefaultBodySchema,
        response: { 200: document('the profile, now `is_default: true`', WRITE_HEADERS), ...problemResponses({ body: true, also: [409, 422] }) },
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const body = request.body;
      const registry = registryOf(request, body.registry, request.query.registry);
      const expectedVersion = body.expected_version;
      return writeDocument(request, reply, { type: 'set_default_profile', registry, slug, expected_version: expectedVersion }, 200);
    },
  );
};
