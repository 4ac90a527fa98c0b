import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { applyOverrides } from '../../domain/effective-runtime.js';
import { runtimeFingerprint } from '../../domain/fingerprint.js';
import { normalizeRuntime, type Runtime } from '../../domain/profile.js';
import { runtimeSchema, type RuntimeInput } from '../../domain/profile-schemas.js';
import { canonicalOverrides } from '../../domain/override-policy.js';
import { runtimeStackTrace, type TraceLayer } from '../../domain/stack-trace.js';
import { middlewareConfigExtensions } from '../../domain/middleware-config-extensions.js';
import { deepMerge } from '../../domain/stack-merge.js';
import { validationError } from '../../domain/errors.js';
import { resolveBodySchema } from '../schemas/bodies.js';
import { redactSecrets, SECRET_AREAS } from '../../domain/secrets.js';
import { registryNotFound } from '../../domain/errors.js';
import { afterRead, cachedRead, type CachedRead, registryExists } from '../../projections/read-model.js';
import { readRegistryDefaultProfile, readResolvedProfile } from '../../projections/read-resolution.js';
import type { RegistryStore } from '../../use-cases/registry-store.js';
import { requireRegistryAccess, requireVisibleLayers } from '../auth/scope.js';
import { chatProfileCookie } from '../chat-profile-cookie.js';
import { registryOf } from '../request-input.js';
import type { RoutesPlugin } from '../route-schema.js';
import { jsonAnswer } from '../schemas/answers.js';
import { resolvedSchema } from '../schemas/documents.js';
import { profileParams } from '../schemas/params.js';
import { problemResponses } from '../schemas/problems.js';
import { legacySelectorQuery, profileQuery, registryOrDefaultQuery, requireSignedQuery } from '../schemas/query.js';
import { seesRuntimeSecrets } from '../secret-output.js';
import { markSecretsRevealed } from '../revealed-secrets.js';
import { enforceSigned, verdictOf } from '../signed-documents.js';


type ResolveBody = Partial<z.output<typeof resolveBodySchema>>;

/** The overrides a request asks for: ours (`overrides`) or pinocchio's (`request_overrides`, keys canonicalized as geppetto does). */
const requestedOverrides = (body: ResolveBody): { overrides?: RuntimeInput; field: string } => {
  if (body.request_overrides === undefined) return { overrides: body.overrides, field: 'overrides' };
  if (body.overrides !== undefined) {
    throw validationError('request_overrides', 'give `overrides` or `request_overrides`, not both');
  }
  const parsed = runtimeSchema.safeParse(canonicalOverrides(body.request_overrides, 'request_overrides'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['request_overrides', ...(issue.code === 'unrecognized_keys' ? [issue.keys[0]] : issue.path.map(String))].join('.');
    throw validationError(path, issue.message);
  }
  return { overrides: parsed.data, field: 'request_overrides' };
};

/** pinocchio answers its retired selectors (`runtime_key`, `registry_slug`) with 400 rather than ignore them (a request meant another registry). */
const resolveQuerySchema = z.looseObject({
  runtime_key: legacySelectorQuery('runtime_key'),
  registry_slug: legacySelectorQuery('registry_slug'),
  registry: registryOrDefaultQuery("registry slug (the server's default registry when absent; naming one overrides the cookie's)"),
  profile: profileQuery('the profile to resolve (after the path slug and the body)'),
  runtime: profileQuery('the runtime key, as older clients name the profile'),
  require_signed: requireSignedQuery,
});
type ResolveQuery = z.output<typeof resolveQuerySchema>;

const DEFAULT_PROFILE = 'default';

type Source = 'path' | 'body' | 'query' | 'runtime' | 'cookie' | 'registry_default' | 'default';

interface Choice {
  registry: string;
  profile: string;
  source: Source;
}

/** A resolve without overrides, kept as the bytes it answers with and the registries its stack reaches. */
interface KeptResolve {
  bytes: Buffer;
  registries: string[];
}

/** The registry's own choice when a request names no profile: its default profile, else `default` (404 when the registry is missing). */
const registryChoice = (store: RegistryStore, registry: string): CachedRead<Choice> =>
  afterRead(readRegistryDefaultProfile(store.db, registry), (registryDefault) =>
    registryDefault !== undefined
      ? { registry, profile: registryDefault, source: 'registry_default' as const }
      : // only ever from the registry chosen: a registry without a default answers its `default` profile, or 404
        afterRead(registryExists(store.db, registry), (exists) => {
          if (!exists) throw registryNotFound();
          return { registry, profile: DEFAULT_PROFILE, source: 'default' as const };
        }),
  );

/**
 * Which profile a request names, by precedence: path > body > ?profile > ?runtime > cookie >
 * registry default > `default`. Answered at once unless the registry's default must be loaded.
 */
const chooseProfile = (
  store: RegistryStore,
  request: FastifyRequest,
  pathSlug: string | undefined,
  body: ResolveBody,
  query: ResolveQuery,
): CachedRead<Choice> => {
  const registry = registryOf(request, body.registry, query.registry);
  if (pathSlug !== undefined) return { registry, profile: pathSlug, source: 'path' };
  if (body.profile !== undefined) return { registry, profile: body.profile, source: 'body' };
  if (query.profile !== undefined) return { registry, profile: query.profile, source: 'query' };
  if (query.runtime !== undefined) return { registry, profile: query.runtime, source: 'runtime' };
  const cookie = chatProfileCookie(request);
  if (cookie) {
    const registryGiven = body.registry !== undefined || query.registry !== undefined;
    return {
      registry: registryGiven ? registry : requireRegistryAccess(request, cookie.registry),
      profile: cookie.profile,
      source: 'cookie',
    };
  }
  return registryChoice(store, registry);
};

/** Runtime resolution: which profile a chat runs, with its effective settings and fingerprint (API.md section 3). */
export const resolveRoutes: RoutesPlugin<{ store: RegistryStore }> = async (app, { store }) => {
  /**
   * The answer, with the registries its stack reaches (a token must see each of them). Judging
   * `?require_signed` needs every layer's verdict, so those requests take this path each time.
   */
  const answer = async (
    choice: Choice,
    overrides: RuntimeInput,
    showSecrets: boolean,
    requireSigned: boolean,
    request?: FastifyRequest,
    field = 'overrides',
  ) => {
    const resolved = await readResolvedProfile(store.db, choice.registry, choice.profile);
    // a layer outside the caller's registries answers as missing, before anything names it
    if (request !== undefined) requireVisibleLayers(request, resolved.reached);
    // a runtime that asks for signed profiles gets one only when every merged layer is vouched for
    for (const layer of resolved.layers) {
      enforceSigned(requireSigned, layer.registry, layer.profile.content.slug, layer.profile, verdictOf(store.signingKeys, layer.registry, layer.profile));
    }
    const verdict = verdictOf(store.signingKeys, choice.registry, resolved.profile);
    const requested = normalizeRuntime(overrides);
    const runtime = applyOverrides(resolved.effective, requested, field);
    const shown = (value: Runtime): Runtime => (showSecrets ? value : redactSecrets(value, SECRET_AREAS.runtime));
    const traceLayers: TraceLayer[] = resolved.layers.map(({ registry, profile }) => ({
      registry_slug: registry,
      profile_slug: profile.content.slug,
      profile_version: profile.version,
      source: 'profile',
      runtime: shown(profile.content.runtime as Runtime),
    }));
    if (runtime !== resolved.effective.runtime) {
      traceLayers.push({ registry_slug: choice.registry, profile_slug: choice.profile, profile_version: resolved.profile.version, source: 'request', runtime: shown(requested) });
    }
    const body = {
      registry: choice.registry,
      profile: choice.profile,
      source: choice.source,
      runtime_key: choice.profile,
      profile_version: resolved.profile.version,
      runtime: showSecrets ? runtime : redactSecrets(runtime, SECRET_AREAS.runtime),
      fingerprint: runtimeFingerprint(store.fingerprintKey, choice.registry, choice.profile, runtime),
      stack_lineage: resolved.lineage,
      stack_trace: runtimeStackTrace(traceLayers),
      // the merged extensions, with each middleware's config where pinocchio's runtime reads it
      extensions: deepMerge(
        showSecrets ? resolved.effective.extensions : redactSecrets(resolved.effective.extensions, SECRET_AREAS.extensions),
        middlewareConfigExtensions((showSecrets ? runtime : redactSecrets(runtime, SECRET_AREAS.runtime)).middlewares),
      ),
      signature: resolved.profile.signature ?? null,
      signature_valid: verdict === 'valid',
    };
    return { body, registries: resolved.reached };
  };
  const sendResolved = (request: FastifyRequest, reply: FastifyReply, resolved: KeptResolve) => {
    requireVisibleLayers(request, resolved.registries);
    return reply.type('application/json; charset=utf-8').send(resolved.bytes);
  };
  const answerChoice = (request: FastifyRequest, reply: FastifyReply, choice: Choice, overrides: RuntimeInput | undefined, field: string, query: ResolveQuery): Promise<unknown> | undefined => {
    const showSecrets = seesRuntimeSecrets(request);
    if (showSecrets) markSecretsRevealed(reply);
    const requireSigned = query.require_signed === true;
    if (overrides !== undefined || requireSigned) {
      return answer(choice, overrides ?? {}, showSecrets, requireSigned, request, field).then((answered) => answered.body);
    }
    // the hot path (every chat turn): without overrides the answer depends on the stored data only
    const kept = cachedRead(
      store.db,
      ['resolve', choice.source, choice.registry, choice.profile, showSecrets ? 'secrets' : 'redacted'],
      async (): Promise<KeptResolve> => {
        const answered = await answer(choice, {}, showSecrets, false);
        return { bytes: Buffer.from(JSON.stringify(answered.body)), registries: answered.registries };
      },
    );
    if (kept instanceof Promise) return kept.then((resolved) => sendResolved(request, reply, resolved));
    // a resolve kept in memory is answered now, in Fastify's call: no promise, nothing returned for Fastify to wait on
    sendResolved(request, reply, kept);
    return undefined;
  };
  const resolve = (request: FastifyRequest, reply: FastifyReply, pathSlug: string | undefined, body: ResolveBody, query: ResolveQuery) => {
    const { overrides, field } = requestedOverrides(body);
    return afterRead(chooseProfile(store, request, pathSlug, body, query), (choice) => answerChoice(request, reply, choice, overrides, field, query));
  };
  const schema = (operationId: string, summary: string) => ({
    operationId,
    tags: ['resolve'],
    summary,
    querystring: resolveQuerySchema,
    response: {
      200: jsonAnswer(resolvedSchema, 'the effective runtime and its fingerprint (secrets only for the runtime and admin roles)'),
      ...problemResponses(),
    },
  });
  const config = { role: 'reader' as const };
  const withBody = { ...problemResponses({ body: true }), 200: jsonAnswer(resolvedSchema, 'the effective runtime with the overrides applied') };
  // a POST resolve reads: its body only names a profile and overrides
  app.get('/api/chat/resolve', { config, schema: schema('resolveCurrentProfile', 'Resolve the profile a request names (query, cookie, default)') }, (request, reply) =>
    resolve(request, reply, undefined, {}, request.query),
  );
  app.post(
    '/api/chat/resolve',
    {
      config,
      schema: { ...schema('resolveProfileWithOverrides', 'Resolve the profile the body names, with overrides'), body: resolveBodySchema, response: withBody },
    },
    (request, reply) => resolve(request, reply, undefined, request.body, request.query),
  );
  app.get(
    '/api/chat/resolve/:slug',
    { config, schema: { ...schema('resolveProfile', 'Resolve a profile by slug'), params: profileParams } },
    (request, reply) => resolve(request, reply, request.params.slug, {}, request.query),
  );
  app.post(
    '/api/chat/resolve/:slug',
    {
      config,
      schema: {
        ...schema('resolveProfileBySlugWithOverrides', 'Resolve a profile by slug, with overrides'),
        params: profileParams,
        body: resolveBodySchema,
        response: withBody,
      },
    },
    (request, reply) => resolve(request, reply, request.params.slug, request.body, request.query),
  );
};
