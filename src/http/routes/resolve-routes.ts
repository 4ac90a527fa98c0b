import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { applyOverrides } from '../../domain/effective-runtime.js';
import { runtimeFingerprint } from '../../domain/fingerprint.js';
import { parseWith } from '../../domain/parse-input.js';
import { normalizeRuntime } from '../../domain/profile.js';
import { runtimeSchema, type RuntimeInput } from '../../domain/profile-schemas.js';
import { redactSecrets, SECRET_AREAS } from '../../domain/secrets.js';
import { requireProfileSlug } from '../../domain/slug.js';
import { registryNotFound } from '../../domain/errors.js';
import { cachedRead, registryExists } from '../../projections/read-model.js';
import { readRegistryDefaultProfile, readResolvedProfile } from '../../projections/read-resolution.js';
import type { RegistryStore } from '../../projections/registry-store.js';
import { requireRegistryAccess } from '../auth/access-control.js';
import { chatProfileCookie } from '../chat-profile-cookie.js';
import { objectBody, queryValue, registryOf } from '../request-input.js';
import { seesRuntimeSecrets } from '../secret-output.js';
import { markSecretsRevealed } from '../revealed-secrets.js';
import { enforceSigned, requireSignedOf, verdictOf } from '../signed-documents.js';

const resolveBodySchema = z.strictObject({
  profile: z.string().optional(),
  registry: z.string().optional(),
  overrides: runtimeSchema.optional(),
});

const DEFAULT_PROFILE = 'default';

type Source = 'path' | 'body' | 'query' | 'runtime' | 'cookie' | 'registry_default' | 'default';

interface Choice {
  registry: string;
  profile: string;
  source: Source;
}

/** Which profile a request names, by precedence: path > body > ?profile > ?runtime > cookie > registry default > `default`. */
const chooseProfile = async (
  store: RegistryStore,
  request: FastifyRequest,
  body: z.infer<typeof resolveBodySchema>,
): Promise<Choice> => {
  const registry = registryOf(request, body.registry);
  const explicit: [Source, unknown][] = [
    ['path', (request.params as { slug?: string }).slug],
    ['body', body.profile],
    ['query', queryValue(request, 'profile')],
    ['runtime', queryValue(request, 'runtime')],
  ];
  for (const [source, raw] of explicit) {
    if (raw !== undefined && raw !== '') return { registry, profile: requireProfileSlug(raw), source };
  }
  const cookie = chatProfileCookie(request);
  if (cookie) {
    const registryGiven = body.registry !== undefined || queryValue(request, 'registry') !== undefined;
    return {
      registry: registryGiven ? registry : requireRegistryAccess(request, cookie.registry),
      profile: cookie.profile,
      source: 'cookie',
    };
  }
  const registryDefault = await readRegistryDefaultProfile(store.db, registry);
  if (registryDefault !== undefined) return { registry, profile: registryDefault, source: 'registry_default' };
  if (!(await registryExists(store.db, registry))) throw registryNotFound();
  // only ever from the registry chosen: a registry without a default answers its `default` profile, or 404
  return { registry, profile: DEFAULT_PROFILE, source: 'default' };
};

/** Runtime resolution: which profile a chat runs, with its effective settings and fingerprint (API.md section 3). */
export const registerResolveRoutes = (app: FastifyInstance, store: RegistryStore): void => {
  /**
   * The answer, with the registries its stack reaches (a token must see each of them). Judging
   * `?require_signed` needs every layer's verdict, so those requests take this path each time.
   */
  const answer = async (choice: Choice, overrides: RuntimeInput, showSecrets: boolean, requireSigned: boolean) => {
    const resolved = await readResolvedProfile(store.db, choice.registry, choice.profile);
    // a runtime that asks for signed profiles gets one only when every merged layer is vouched for
    for (const layer of resolved.layers) {
      enforceSigned(requireSigned, layer.registry, layer.profile.content.slug, layer.profile, verdictOf(store.signingKeys, layer.registry, layer.profile));
    }
    const verdict = verdictOf(store.signingKeys, choice.registry, resolved.profile);
    const runtime = applyOverrides(resolved.effective, normalizeRuntime(overrides));
    const body = {
      registry: choice.registry,
      profile: choice.profile,
      source: choice.source,
      runtime_key: choice.profile,
      profile_version: resolved.profile.version,
      runtime: showSecrets ? runtime : redactSecrets(runtime, SECRET_AREAS.runtime),
      fingerprint: runtimeFingerprint(choice.registry, choice.profile, runtime),
      stack_lineage: resolved.lineage,
      signature: resolved.profile.signature ?? null,
      signature_valid: verdict === 'valid',
    };
    return { body, registries: resolved.lineage.map((layer) => layer.registry_slug) };
  };
  const resolve = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = parseWith(resolveBodySchema, request.method === 'POST' ? objectBody(request) : {});
    const choice = await chooseProfile(store, request, body);
    const showSecrets = seesRuntimeSecrets(request);
    if (showSecrets) markSecretsRevealed(reply);
    const requireSigned = requireSignedOf(request);
    if (body.overrides !== undefined || requireSigned) {
      const answered = await answer(choice, body.overrides ?? {}, showSecrets, requireSigned);
      // a stack reaching a registry the token may not see answers as if that registry did not exist
      for (const registry of answered.registries) requireRegistryAccess(request, registry);
      return answered.body;
    }
    // the hot path (every chat turn): without overrides the answer depends on the stored data only
    const cached = await cachedRead(
      store.db,
      `resolve ${choice.source} ${choice.registry} ${choice.profile} ${showSecrets ? 'secrets' : 'redacted'}`,
      async () => {
        const answered = await answer(choice, {}, showSecrets, false);
        return { bytes: Buffer.from(JSON.stringify(answered.body)), registries: answered.registries };
      },
    );
    for (const registry of cached.registries) requireRegistryAccess(request, registry);
    return reply.type('application/json; charset=utf-8').send(cached.bytes);
  };
  for (const url of ['/api/chat/resolve', '/api/chat/resolve/:slug']) {
    // a POST resolve reads: its body only names a profile and overrides
    app.get(url, { config: { role: 'reader' } }, resolve);
    app.post(url, { config: { role: 'reader' } }, resolve);
  }
};
