import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { applyOverrides } from '../../domain/effective-runtime.js';
import { runtimeFingerprint } from '../../domain/fingerprint.js';
import { parseWith } from '../../domain/parse-input.js';
import { normalizeRuntime } from '../../domain/profile.js';
import { runtimeSchema, type RuntimeInput } from '../../domain/profile-schemas.js';
import { requireProfileSlug } from '../../domain/slug.js';
import { registryNotFound } from '../../domain/errors.js';
import { DEFAULT_REGISTRY } from '../../events/registry-state.js';
import { cachedRead, registryExists } from '../../projections/read-model.js';
import { readRegistryDefaultProfile, readResolvedProfile } from '../../projections/read-resolution.js';
import type { RegistryStore } from '../../projections/registry-store.js';
import { chatProfileCookie } from '../chat-profile-cookie.js';
import { objectBody, queryValue, registryOf } from '../request-input.js';

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
    return { registry: registryGiven ? registry : cookie.registry, profile: cookie.profile, source: 'cookie' };
  }
  const registryDefault = await readRegistryDefaultProfile(store.db, registry);
  if (registryDefault !== undefined) return { registry, profile: registryDefault, source: 'registry_default' };
  if (!(await registryExists(store.db, registry))) throw registryNotFound();
  // an existing registry without a default has no profiles: the server-wide `default` profile serves
  return { registry: DEFAULT_REGISTRY, profile: DEFAULT_PROFILE, source: 'default' };
};

/** Runtime resolution: which profile a chat runs, with its effective settings and fingerprint (API.md section 3). */
export const registerResolveRoutes = (app: FastifyInstance, store: RegistryStore): void => {
  const answer = async (choice: Choice, overrides: RuntimeInput) => {
    const resolved = await readResolvedProfile(store.db, choice.registry, choice.profile);
    const runtime = applyOverrides(resolved.effective, normalizeRuntime(overrides));
    return {
      registry: choice.registry,
      profile: choice.profile,
      source: choice.source,
      runtime_key: choice.profile,
      profile_version: resolved.profile.version,
      runtime,
      fingerprint: runtimeFingerprint(choice.registry, choice.profile, runtime),
      stack_lineage: resolved.lineage,
    };
  };
  const resolve = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = parseWith(resolveBodySchema, request.method === 'POST' ? objectBody(request) : {});
    const choice = await chooseProfile(store, request, body);
    if (body.overrides !== undefined) return answer(choice, body.overrides);
    // the hot path (every chat turn): without overrides the answer depends on the stored data only
    const bytes = await cachedRead(store.db, `resolve ${choice.source} ${choice.registry} ${choice.profile}`, async () =>
      Buffer.from(JSON.stringify(await answer(choice, {}))),
    );
    return reply.type('application/json; charset=utf-8').send(bytes);
  };
  for (const url of ['/api/chat/resolve', '/api/chat/resolve/:slug']) {
    app.get(url, resolve);
    app.post(url, resolve);
  }
};
