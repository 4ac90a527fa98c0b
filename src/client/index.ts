import { ProblemError } from './errors.js';
import { followProfile, type FollowOptions, type Following } from './follow-profile.js';
import { createTransport, enc, type ClientOptions } from './transport.js';
import type {
  Bundle,
  ChangesPage,
  CreateProfileInput,
  CreateRegistryInput,
  Diff,
  DryRun,
  EventsPage,
  ExtensionSchemaItem,
  ImportResult,
  MiddlewareSchemaItem,
  ProfileDocument,
  ProfileHistory,
  ProfileSummary,
  ProfileSummaryPage,
  PutExtensionSchemaInput,
  PutMiddlewareSchemaInput,
  RegistryDocument,
  RegistryRestoreResult,
  RegistrySummary,
  RegistrySummaryPage,
  Resolved,
  ResolveInput,
  RestoreProfileInput,
  RestoreRegistryInput,
  SchemaDocument,
  SchemaHistory,
  Session,
  UpdateProfileInput,
  UpdateRegistryInput,
} from './types.js';
import { watchChanges, type WatchOptions } from './watch.js';

export { ProblemError, UnreachableError, isTransient } from './errors.js';
export type { ClientOptions } from './transport.js';
export type { FollowOptions, Following } from './follow-profile.js';
export type { WatchOptions } from './watch.js';
export type * from './types.js';

/** A past point of a read: a version, or a time (RFC 3339 or epoch ms). */
export interface PastPoint {
  version?: number;
  asOf?: string | number;
}
export interface InRegistry {
  registry?: string;
}
export type SchemaKind = 'middlewares' | 'extensions';
/** One page of a list (API.md, Lists at scale): `q` searches slug, name, tag, model and description. */
export interface ListPageQuery {
  q?: string;
  limit?: number;
  /** The `next_cursor` of the page before. */
  cursor?: string;
}
/** The filters of both histories: who, which event types, a time range (RFC 3339 or epoch ms, inclusive). */
export interface HistoryFilter {
  actor?: string;
  types?: string[];
  since?: string | number;
  until?: string | number;
}

const pastQuery = (point: PastPoint = {}) => ({ version: point.version, as_of: point.asOf });
const filterQuery = (filter: HistoryFilter = {}) => ({ actor: filter.actor, type: filter.types?.join(','), since: filter.since, until: filter.until });

/**
 * A typed client of profile-registry (API.md section 3): fetch only, so it runs in Node 20 and in
 * browsers. Errors: ProblemError (the server's problem+json), UnreachableError (no answer).
 */
export const createClient = (options: ClientOptions) => {
  const http = createTransport(options);
  const profilePath = (slug: string) => `/api/chat/profiles/${enc(slug)}`;
  const registryPath = (registry: string) => `/api/registries/${enc(registry)}`;

  const client = {
    /** Who the token is: its name, role and registries (when limited). */
    session: () => http.json<Session>('/api/session'),

    // profiles
    listProfiles: (query: InRegistry & { contains?: unknown } = {}) =>
      http.json<ProfileSummary[]>('/api/chat/profiles', {
        query: { registry: query.registry, contains: query.contains === undefined ? undefined : JSON.stringify(query.contains) },
      }),
    /** A page of the profiles (of one registry, or of every registry the token sees). */
    listProfilesPage: (query: InRegistry & ListPageQuery = {}) =>
      http.json<ProfileSummaryPage>('/api/chat/profiles', { query: { registry: query.registry, q: query.q, limit: query.limit, cursor: query.cursor } }),
    /** `reveal: true` shows secret values (admin only, audited). */
    getProfile: (slug: string, query: InRegistry & PastPoint & { reveal?: boolean } = {}) =>
      http.json<ProfileDocument>(profilePath(slug), { query: { registry: query.registry, ...pastQuery(query), reveal: query.reveal ? 'secrets' : undefined } }),
    createProfile: (input: CreateProfileInput) => http.json<ProfileDocument>('/api/chat/profiles', { method: 'POST', body: input }),
    updateProfile: (slug: string, input: UpdateProfileInput, where: InRegistry = {}) =>
      http.json<ProfileDocument>(profilePath(slug), { method: 'PATCH', query: { registry: where.registry }, body: input }),
    deleteProfile: (slug: string, where: InRegistry & { expectedVersion?: number } = {}) =>
      http.json<void>(profilePath(slug), { method: 'DELETE', query: { registry: where.registry, expected_version: where.expectedVersion } }),
    setDefaultProfile: (slug: string, where: InRegistry & { expectedVersion?: number } = {}) =>
      http.json<ProfileDocument>(`${profilePath(slug)}/default`, {
        method: 'POST',
        body: { registry: where.registry, expected_version: where.expectedVersion },
      }),
    /** Sign the profile's current version with the server's signing key (admin; the server needs `--signing-keys-file`). */
    publishProfile: (slug: string, where: InRegistry & { expectedVersion?: number } = {}) =>
      http.json<ProfileDocument>(`${profilePath(slug)}/publish`, {
        method: 'POST',
        body: { registry: where.registry, expected_version: where.expectedVersion },
      }),

    // registries
    listRegistries: () => http.json<RegistrySummary[]>('/api/registries'),
    listRegistriesPage: (query: ListPageQuery = {}) => http.json<RegistrySummaryPage>('/api/registries', { query: { q: query.q, limit: query.limit, cursor: query.cursor } }),
    getRegistry: (registry: string, point: PastPoint = {}) => http.json<RegistryDocument>(registryPath(registry), { query: pastQuery(point) }),
    createRegistry: (input: CreateRegistryInput) => http.json<RegistryDocument>('/api/registries', { method: 'POST', body: input }),
    updateRegistry: (registry: string, input: UpdateRegistryInput) =>
      http.json<RegistryDocument>(registryPath(registry), { method: 'PATCH', body: input }),
    deleteRegistry: (registry: string, where: { expectedVersion?: number } = {}) =>
      http.json<void>(registryPath(registry), { method: 'DELETE', query: { expected_version: where.expectedVersion } }),

    // history, time travel, restore
    /** A page of a registry's events; `data: false` leaves out each event's `data` (a timeline's fields only). */
    registryEvents: (registry: string, page: { after?: number; limit?: number; data?: boolean } & HistoryFilter = {}) =>
      http.json<EventsPage>(`${registryPath(registry)}/events`, {
        query: { after: page.after, limit: page.limit, data: page.data, ...filterQuery(page) },
      }),
    profileHistory: (slug: string, query: InRegistry & { limit?: number; beforeVersion?: number } & HistoryFilter = {}) =>
      http.json<ProfileHistory>(`${profilePath(slug)}/history`, {
        query: { registry: query.registry, limit: query.limit, before_version: query.beforeVersion, ...filterQuery(query) },
      }),
    diff: (slug: string, from: number, to: number, where: InRegistry = {}) =>
      http.json<Diff>(`${profilePath(slug)}/diff`, { query: { registry: where.registry, from, to } }),
    /** A new version with the content of `to_version` (with `dry_run: true`, only the changes it would make). */
    restoreProfile: <Input extends RestoreProfileInput>(slug: string, input: Input, where: InRegistry = {}) =>
      http.json<Input extends { dry_run: true } ? DryRun : ProfileDocument>(`${profilePath(slug)}/restore`, { method: 'POST', body: { ...input, registry: where.registry } }),
    restoreRegistry: (registry: string, input: RestoreRegistryInput) =>
      http.json<RegistryRestoreResult>(`${registryPath(registry)}/restore`, { method: 'POST', body: input }),

    // runtime resolution
    /** The effective runtime of a profile (`slug`), or of what the request names (registry default). */
    resolve: (slug?: string, input: ResolveInput = {}) => {
      const path = slug === undefined ? '/api/chat/resolve' : `/api/chat/resolve/${enc(slug)}`;
      if (input.overrides === undefined && input.profile === undefined) {
        return http.json<Resolved>(path, { query: { registry: input.registry } });
      }
      return http.json<Resolved>(path, { method: 'POST', body: input });
    },

    // schemas
    listMiddlewareSchemas: (point: Pick<PastPoint, 'asOf'> = {}) =>
      http.json<MiddlewareSchemaItem[]>('/api/chat/schemas/middlewares', { query: { as_of: point.asOf } }),
    listExtensionSchemas: (point: Pick<PastPoint, 'asOf'> = {}) =>
      http.json<ExtensionSchemaItem[]>('/api/chat/schemas/extensions', { query: { as_of: point.asOf } }),
    putMiddlewareSchema: (name: string, input: PutMiddlewareSchemaInput) =>
      http.json<MiddlewareSchemaItem>(`/api/chat/schemas/middlewares/${enc(name)}`, { method: 'PUT', body: input }),
    putExtensionSchema: (key: string, input: PutExtensionSchemaInput) =>
      http.json<ExtensionSchemaItem>(`/api/chat/schemas/extensions/${enc(key)}`, { method: 'PUT', body: input }),
    getSchema: (kind: SchemaKind, id: string) => http.json<SchemaDocument>(`/api/chat/schemas/${kind}/${enc(id)}`),
    deleteSchema: (kind: SchemaKind, id: string) => http.json<void>(`/api/chat/schemas/${kind}/${enc(id)}`, { method: 'DELETE' }),
    schemaHistory: (kind: SchemaKind, id: string) => http.json<SchemaHistory>(`/api/chat/schemas/${kind}/${enc(id)}/history`),

    // import / export
    importRegistry: (registry: string, document: Record<string, unknown>) =>
      http.json<ImportResult>(`${registryPath(registry)}/import`, { method: 'POST', body: document }),
    exportRegistry: (registry: string) => http.json<Bundle>(`${registryPath(registry)}/export`),

    // change feed
    /** One long-poll page of changes after `after` (waits up to `wait` seconds for one). */
    changes: (query: { registry?: string; after?: number; wait?: number } = {}) => http.json<ChangesPage>('/api/watch', { query }),
    /** Every change from `from` on, once each, across reconnects and server restarts. */
    watch: (watchOptions: WatchOptions = {}) => watchChanges(http, watchOptions),

    /**
     * Read, change, write with `expected_version`; on a 409 version conflict read again and apply
     * `change` again (at most `attempts` times). `change` returns the fields to write, or undefined to
     * leave the profile as it is.
     */
    updateWithRetry: async (
      slug: string,
      change: (current: ProfileDocument) => UpdateProfileInput | undefined | Promise<UpdateProfileInput | undefined>,
      where: InRegistry & { attempts?: number } = {},
    ): Promise<ProfileDocument> => {
      const attempts = where.attempts ?? 5;
      for (let attempt = 1; ; attempt++) {
        const current = await client.getProfile(slug, { registry: where.registry });
        const fields = await change(current);
        if (fields === undefined) return current;
        try {
          return await client.updateProfile(slug, { ...fields, expected_version: current.metadata.version }, { registry: where.registry ?? current.registry });
        } catch (error) {
          const conflict = error instanceof ProblemError && error.status === 409 && error.kind === 'version-conflict';
          if (!conflict || attempt >= attempts) throw error;
        }
      }
    },

    /** Resolve a profile (or the registry default when `slug` is undefined) and call back whenever its effective runtime changes. */
    followProfile: (slug: string | undefined, followOptions: FollowOptions): Following => {
      const path = slug === undefined ? '/api/chat/resolve' : `/api/chat/resolve/${enc(slug)}`;
      const resolve = (signal: AbortSignal) => http.json<Resolved>(path, { query: { registry: followOptions.registry }, signal });
      return followProfile(http, slug, resolve, followOptions);
    },
  };
  return client;
};

export type ProfileRegistryClient = ReturnType<typeof createClient>;
