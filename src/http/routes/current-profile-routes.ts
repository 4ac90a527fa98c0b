import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseWith } from '../../domain/parse-input.js';
import { requireProfileSlug } from '../../domain/slug.js';
import { readProfileDocument } from '../../projections/read-model.js';
import { missingProfileError, readRegistryDefaultProfile } from '../../projections/read-resolution.js';
import type { RegistryStore } from '../../projections/registry-store.js';
import { chatProfileCookie, chatProfileSetCookie, type ProfileSelection } from '../chat-profile-cookie.js';
import { mayAccessRegistry } from '../auth/access-control.js';
import { objectBody, registryOf } from '../request-input.js';

const selectBodySchema = z.strictObject({
  profile: z.string().optional(),
  slug: z.string().optional(),
  registry: z.string().optional(),
});

const answer = (selection: ProfileSelection) => ({ slug: selection.profile, profile: selection.profile, registry: selection.registry });

/** The current-profile cookie routes (pinocchio's `GET/POST /api/chat/profile`). */
export const registerCurrentProfileRoutes = (app: FastifyInstance, store: RegistryStore): void => {
  const db = store.db;

  app.get('/api/chat/profile', { config: { role: 'editor' } }, async (request) => {
    const cookie = chatProfileCookie(request);
    if (cookie && mayAccessRegistry(request, cookie.registry) && (await readProfileDocument(db, cookie.registry, cookie.profile))) {
      return answer(cookie);
    }
    const registry = registryOf(request);
    const fallback = await readRegistryDefaultProfile(db, registry);
    if (fallback === undefined) throw await missingProfileError(db, registry);
    return answer({ registry, profile: fallback });
  });

  app.post('/api/chat/profile', { config: { role: 'editor' } }, async (request, reply) => {
    const body = parseWith(selectBodySchema, objectBody(request));
    const selection = { registry: registryOf(request, body.registry), profile: requireProfileSlug(body.profile ?? body.slug) };
    if (!(await readProfileDocument(db, selection.registry, selection.profile))) {
      throw await missingProfileError(db, selection.registry);
    }
    reply.header('set-cookie', chatProfileSetCookie(selection));
    return answer(selection);
  });
};
