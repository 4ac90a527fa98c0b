import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { profileNotFound, registryNotFound } from '../../domain/errors.js';
import { parseWith } from '../../domain/parse-input.js';
import type { ProfileFieldsInput } from '../../domain/profile.js';
import { createProfileBodySchema, patchProfileBodySchema, setDefaultBodySchema } from '../../domain/profile-schemas.js';
import { requireProfileSlug } from '../../domain/slug.js';
import type { Command } from '../../events/commands.js';
import { listProfileSummaries, readProfileDocument, registryExists } from '../../projections/read-model.js';
import { pastProfileDocument } from '../../projections/past-documents.js';
import type { RegistryStore, WriteResult } from '../../projections/registry-store.js';
import { executeGuardedWrite, sendJsonWithEtag } from '../conditional-requests.js';
import { containsQuery, sendContainingProfiles } from '../contains-query.js';
import { pastPointOf } from '../past-point-input.js';
import { executeWrite, type WriteAnswer } from '../idempotent-write.js';
import {
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

/** A write's answer: the document it left, with its ETag. */
const documentAnswer = (result: WriteResult, status: number, headers: Record<string, string> = {}): WriteAnswer => {
  if (!result.document) throw profileNotFound();
  return { status, body: result.document.json, headers: { ...headers, etag: result.document.etag } };
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

  app.get('/api/chat/profiles', async (request, reply) => {
    const contains = containsQuery(request);
    if (contains !== undefined) return sendContainingProfiles(db, request, reply, contains);
    const registry = registryOf(request);
    const summaries = await listProfileSummaries(db, registry);
    if (summaries.count === 0 && !(await registryExists(db, registry))) throw registryNotFound();
    return reply.type('application/json; charset=utf-8').send(summaries.body);
  });

  app.get('/api/chat/profiles/:slug', async (request, reply) => {
    const slug = profileSlugParam(request);
    const registry = registryOf(request);
    const point = pastPointOf(request);
    if (point) {
      const past = await pastProfileDocument(db, registry, slug, point);
      return sendJsonWithEtag(request, reply, past.json, past.etag);
    }
    const row = await readProfileDocument(db, registry, slug);
    if (!row) {
      if (!(await registryExists(db, registry))) throw registryNotFound();
      throw profileNotFound();
    }
    return sendJsonWithEtag(request, reply, row.body, row.etag);
  });

  app.post('/api/chat/profiles', async (request, reply) => {
    const body = parseWith(createProfileBodySchema, objectBody(request));
    const registry = registryOf(request, body.registry);
    const slug = requireProfileSlug(body.slug);
    return executeWrite(
      store,
      request,
      reply,
      () => ({ type: 'create_profile', registry, slug, fields: profileFields(body), set_default: body.set_default }),
      (result) => documentAnswer(result, 201, { location: location(registry, slug) }),
    );
  });

  app.patch('/api/chat/profiles/:slug', async (request, reply) => {
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
      (result) => documentAnswer(result, 200),
    );
  });

  app.delete('/api/chat/profiles/:slug', async (request, reply) => {
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

  app.post('/api/chat/profiles/:slug/default', async (request, reply) => {
    const slug = profileSlugParam(request);
    const body = parseWith(setDefaultBodySchema, objectBody(request));
    const registry = registryOf(request, body.registry);
    const expectedVersion = parseExpectedVersion(body.expected_version);
    return executeWrite(
      store,
      request,
      reply,
      () => ({ type: 'set_default_profile', registry, slug, expected_version: expectedVersion }),
      (result) => documentAnswer(result, 200),
    );
  });
};
