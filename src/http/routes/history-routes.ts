import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { verdictOf, withSignatureValid } from '../signed-documents.js';
import { profileNotFound, registryNotFound } from '../../domain/errors.js';
import { restoreProfileBodySchema, restoreRegistryBodySchema } from '../../domain/restore-schemas.js';
import { SECRET_AREAS } from '../../domain/secrets.js';
import { eventProfile, type StoredEvent } from '../../events/event-types.js';
import { readStreamPage } from '../../events/read-stream-page.js';
import { changesBetween, eventContentView } from '../../projections/content-view.js';
import {
  findProfileVersion,
  profileHasHistory,
  readProfileVersions,
  readProfileHistoryPage,
  readProfileVersionsAt,
  type ProfileVersion,
} from '../../projections/profile-history.js';
import { effectiveProfileHistory } from '../../projections/effective-history.js';
import type { RegistryStore } from '../../use-cases/registry-store.js';
import { restoreProfile, restoreRegistry } from '../../use-cases/restore.js';
import { registryOfProfileHistory } from '../../projections/unnamed-registry-reads.js';
import { mayAccessRegistry, requireRegistryAccess } from '../auth/scope.js';
import { streamHeadVersion } from '../../projections/time-travel.js';
import { sendJsonWithEtag } from '../conditional-requests.js';
import { historyFilterOf, historyFilterQuery, isFiltered, passesFilter, type HistoryFilter } from '../history-filters.js';
import { restorePointOf } from '../past-point-input.js';
import { shownChanges, shownJson, shownValue } from '../secret-output.js';
import { commandContext, namedRegistry, registryOf } from '../request-input.js';
import type { RoutesPlugin } from '../route-schema.js';
import { ETAG, IDEMPOTENT_REPLAYED, jsonAnswer } from '../schemas/answers.js';
import {
  diffSchema,
  dryRunSchema,
  eventsPageSchema,
  profileDocumentSchema,
  profileHistorySchema,
  registryRestoreSchema,
} from '../schemas/documents.js';
import { profileParams, registryParams } from '../schemas/params.js';
import { problemResponses } from '../schemas/problems.js';
import {
  afterQuery,
  documentQuerySchema,
  eventDataQuery,
  limitQuery,
  MAX_PAGE,
  neededVersionQuery,
  registryQuery,
  revealQuery,
  revealQuerySchema,
  versionNumberQuery,
} from '../schemas/query.js';
import { actorHeaders } from '../schemas/headers.js';

/** How many events one filtered read looks through at most before it answers (with `at_end: false`). */
const MAX_SCANNED = 20_000;

const throwProfileNotFound = (): never => {
  throw profileNotFound();
};

const publicEvent = (event: StoredEvent, withData = true) => {
  const profile = eventProfile(event);
  return {
    position: event.position,
    registry: event.stream_id,
    version: event.stream_version,
    type: event.type,
    ...(profile !== undefined && event.type.startsWith('profile.') ? { profile } : {}),
    actor: event.metadata.actor,
    ...(event.metadata.on_behalf_of === undefined ? {} : { on_behalf_of: event.metadata.on_behalf_of }),
    source: event.metadata.source,
    at_ms: event.metadata.occurred_at_ms,
    ...(event.metadata.cause === undefined ? {} : { cause: event.metadata.cause }),
    ...(withData ? { data: event.data } : {}),
  };
};

const TAGS = ['history'];

/** Audit trail, diffs and restores (API.md section 3, History, time travel, restore). */
export const historyRoutes: RoutesPlugin<{ store: RegistryStore }> = async (app, { store }) => {
  const db = store.db;

  /** The registry a history read names, else the one whose history of the profile it answers from. */
  const historyRegistryOf = async (request: FastifyRequest, slug: string, named: string | undefined): Promise<string> =>
    namedRegistry(request, named) ?? (await registryOfProfileHistory(db, slug, (candidate) => mayAccessRegistry(request, candidate))) ?? throwProfileNotFound();

  /** Versions read of a profile; when none were, 404 naming what is missing unless the profile has a history. */
  const requireHistory = async (registry: string, slug: string, versions: ProfileVersion[]) => {
    if (versions.length > 0 || (await profileHasHistory(db, registry, slug))) return versions;
    throw (await streamHeadVersion(db, registry)) === 0 ? registryNotFound() : profileNotFound();
  };

  /**
   * Events after `after` that pass the filter, up to `limit`: unfiltered one read as before; filtered,
   * reads on in pages (at most MAX_SCANNED events per request) so that a rare match is still found.
   */
  const filteredEventsPage = async (registry: string, after: number, limit: number, filter: HistoryFilter, withData: boolean) => {
    const pageSize = isFiltered(filter) ? MAX_PAGE : limit;
    const events: ReturnType<typeof publicEvent>[] = [];
    let nextAfter = after;
    let scanned = 0;
    for (;;) {
      const batch = await readStreamPage(db, registry, nextAfter, pageSize);
      for (const event of batch) {
        nextAfter = event.position;
        scanned += 1;
        const shown = publicEvent(event, withData);
        if (passesFilter(filter, shown)) events.push(shown);
        if (events.length === limit) return { events, nextAfter, atEnd: false };
      }
      if (batch.length < pageSize) return { events, nextAfter, atEnd: true };
      if (scanned >= MAX_SCANNED) return { events, nextAfter, atEnd: false };
    }
  };

  app.get(
    '/api/registries/:registry/events',
    {
      config: { role: 'reader' },
      schema: {
        operationId: 'listRegistryEvents',
        tags: TAGS,
        summary: "A page of a registry's events, oldest first",
        params: registryParams,
        querystring: z.looseObject({ after: afterQuery, limit: limitQuery, reveal: revealQuery, data: eventDataQuery, ...historyFilterQuery }),
        response: {
          200: jsonAnswer(
            eventsPageSchema,
            'events after `after` that pass the filters; `next_after` is the position to ask from next; `at_end` says no later event passes them',
          ),
          ...problemResponses(),
        },
      },
    },
    async (request) => {
      const registry = requireRegistryAccess(request, request.params.registry);
      const { after = 0, limit = 100, data = true } = request.query;
      const filter = historyFilterOf(request.query);
      if ((await streamHeadVersion(db, registry)) === 0) throw registryNotFound();
      const page = await filteredEventsPage(registry, after, limit, filter, data);
      return { events: shownValue(request, page.events, SECRET_AREAS.events), next_after: page.nextAfter, at_end: page.atEnd };
    },
  );

  app.get(
    '/api/chat/profiles/:slug/history',
    {
      config: { role: 'reader' },
      schema: {
        operationId: 'getProfileHistory',
        tags: TAGS,
        summary: "A profile's versions, newest first, each with its changes",
        params: profileParams,
        querystring: z.looseObject({
          registry: registryQuery,
          limit: limitQuery,
          before_version: versionNumberQuery('only versions before this one', 'before_version'),
          reveal: revealQuery,
          ...historyFilterQuery,
        }),
        response: { 200: jsonAnswer(profileHistorySchema, 'the versions (changes are RFC 6902 from the previous version)'), ...problemResponses() },
      },
    },
    async (request) => {
      const { slug } = request.params;
      const registry = await historyRegistryOf(request, slug, request.query.registry);
      const { limit = MAX_PAGE, before_version: beforeVersion } = request.query;
      const filter = historyFilterOf(request.query);
      const filtered = isFiltered(filter);
      // unfiltered, only the page is read (by the profile index); a filter needs every version to judge
      const read = filtered ? await readProfileVersions(db, registry, slug) : await readProfileHistoryPage(db, registry, slug, { limit, beforeVersion });
      const versions = await requireHistory(registry, slug, read);
      if (versions.length === 0) return { registry, profile: slug, versions: [], next_before_version: null };
      const history = await effectiveProfileHistory(db, store.fingerprintKey, registry, slug, versions, filtered ? { beforeVersion } : { limit, beforeVersion });
      const passing = history.filter((entry) => passesFilter(filter, entry));
      const entries = passing.slice(0, limit).map((entry) => ({
        ...entry,
        changes: shownChanges(request, entry.changes, SECRET_AREAS.profile),
      }));
      const oldest = entries.at(-1)?.version;
      // unfiltered, versions count down to 1 with none missing: an older page exists while the oldest shown is past 1
      const nextBefore = filtered ? (passing.length > limit ? (oldest ?? null) : null) : oldest !== undefined && oldest > 1 ? oldest : null;
      return { registry, profile: slug, versions: entries, next_before_version: nextBefore };
    },
  );

  app.get(
    '/api/chat/profiles/:slug/diff',
    {
      config: { role: 'reader' },
      schema: {
        operationId: 'diffProfileVersions',
        tags: TAGS,
        summary: 'The changes between two versions of a profile',
        params: profileParams,
        querystring: z.looseObject({
          registry: registryQuery,
          from: neededVersionQuery('the older version (integer ≥ 1)', 'from'),
          to: neededVersionQuery('the newer version (integer ≥ 1)', 'to'),
          reveal: revealQuery,
        }),
        response: { 200: jsonAnswer(diffSchema, 'RFC 6902 changes from `from` to `to`'), ...problemResponses() },
      },
    },
    async (request) => {
      const { slug } = request.params;
      const registry = await historyRegistryOf(request, slug, request.query.registry);
      const { from, to } = request.query;
      const versions = await requireHistory(registry, slug, await readProfileVersionsAt(db, registry, slug, [from, to]));
      const view = (version: number) => eventContentView(registry, findProfileVersion(versions, version).content);
      return { from, to, changes: shownChanges(request, changesBetween(view(from), view(to)), SECRET_AREAS.profile) };
    },
  );

  app.post(
    '/api/chat/profiles/:slug/restore',
    {
      config: { role: 'admin' },
      schema: {
        operationId: 'restoreProfile',
        tags: TAGS,
        summary: "Restore a profile's content of an earlier version, as a new version",
        headers: actorHeaders,
        params: profileParams,
        querystring: documentQuerySchema,
        body: restoreProfileBodySchema,
        response: {
          200: {
            description: 'the restored profile, or with `dry_run` the changes a restore would make',
            content: { 'application/json': { schema: z.union([profileDocumentSchema, dryRunSchema]) } },
            headers: { ...ETAG, ...IDEMPOTENT_REPLAYED },
          },
          ...problemResponses({ body: true, also: [409, 412] }),
        },
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const body = request.body;
      const registry = registryOf(request, body.registry, request.query.registry);
      const result = await restoreProfile(store, registry, slug, body.to_version, {
        dryRun: body.dry_run === true,
        expectedVersion: body.expected_version,
        context: commandContext(request),
      });
      if (result.dryRun) return { changes: shownChanges(request, result.changes, SECRET_AREAS.profile) };
      const document = result.document;
      if (!document) throw profileNotFound();
      const shown = shownJson(request, document.json, SECRET_AREAS.profile);
      const signed = withSignatureValid(shown, document.profile, verdictOf(store.signingKeys, registry, document.profile));
      return sendJsonWithEtag(request, reply, signed, document.etag);
    },
  );

  app.post(
    '/api/registries/:registry/restore',
    {
      config: { role: 'admin' },
      schema: {
        operationId: 'restoreRegistry',
        tags: TAGS,
        summary: 'Put a whole registry back as it was at a version or time, as new events',
        headers: actorHeaders,
        params: registryParams,
        querystring: revealQuerySchema,
        body: restoreRegistryBodySchema,
        response: { 200: jsonAnswer(registryRestoreSchema, 'the registry version reached and the changes made (or, with `dry_run`, to make)'), ...problemResponses({ body: true, also: [409] }) },
      },
    },
    async (request) => {
      const registry = requireRegistryAccess(request, request.params.registry);
      const body = request.body;
      const result = await restoreRegistry(store, registry, restorePointOf(body.to_version, body.as_of), {
        dryRun: body.dry_run === true,
        expectedVersion: body.expected_version,
        context: commandContext(request),
      });
      return { ...result, changes: shownChanges(request, result.changes, SECRET_AREAS.registry) };
    },
  );
};
