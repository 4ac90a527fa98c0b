import { z } from 'zod';
import { invalidProfileSlug } from '../../domain/errors.js';
import { optionalRegistryField, profileSlugField } from '../../domain/slug-fields.js';
import { readProfileDocument } from '../../projections/read-model.js';
import { missingProfileError, readRegistryDefaultProfile } from '../../projections/read-resolution.js';
import type { RegistryStore } from '../../use-cases/registry-store.js';
import { chatProfileCookie, chatProfileSetCookie, type ProfileSelection } from '../chat-profile-cookie.js';
import { mayAccessRegistry } from '../auth/scope.js';
import { registryOf } from '../request-input.js';
import type { RoutesPlugin } from '../route-schema.js';
import { jsonAnswer } from '../schemas/answers.js';
import { profileSelectionSchema } from '../schemas/documents.js';
import { problemResponses } from '../schemas/problems.js';
import { registryQuerySchema } from '../schemas/query.js';

const selectBodySchema = z.strictObject({
  profile: profileSlugField('the profile').optional(),
  slug: profileSlugField('the profile, as older clients name it (when `profile` is absent)').optional(),
  registry: optionalRegistryField('the registry (wins over `?registry=`)'),
});

const answer = (selection: ProfileSelection) => ({ slug: selection.profile, profile: selection.profile, registry: selection.registry });

const TAGS = ['current profile'];

/** The current-profile cookie routes (pinocchio's `GET/POST /api/chat/profile`). */
export const currentProfileRoutes: RoutesPlugin<{ store: RegistryStore }> = async (app, { store }) => {
  const db = store.db;

  app.get(
    '/api/chat/profile',
    {
      config: { role: 'editor' },
      schema: {
        operationId: 'getCurrentProfile',
        tags: TAGS,
        summary: "The profile of the `chat_profile` cookie, else the registry's default",
        querystring: registryQuerySchema,
        response: { 200: jsonAnswer(profileSelectionSchema, 'the current profile (`slug` = `profile`)'), ...problemResponses() },
      },
    },
    async (request) => {
      const cookie = chatProfileCookie(request);
      if (cookie && mayAccessRegistry(request, cookie.registry) && (await readProfileDocument(db, cookie.registry, cookie.profile))) {
        return answer(cookie);
      }
      const registry = registryOf(request, request.query.registry);
      const fallback = await readRegistryDefaultProfile(db, registry);
      if (fallback === undefined) throw await missingProfileError(db, registry);
      return answer({ registry, profile: fallback });
    },
  );

  app.post(
    '/api/chat/profile',
    {
      config: { role: 'editor' },
      schema: {
        operationId: 'selectCurrentProfile',
        tags: TAGS,
        summary: 'Choose the current profile (sets the `chat_profile` cookie)',
        querystring: registryQuerySchema,
        body: selectBodySchema,
        response: {
          200: jsonAnswer(profileSelectionSchema, 'the chosen profile', {
            'set-cookie': { type: 'string', description: '`chat_profile=<registry>/<profile>; Path=/; SameSite=Lax; Secure; HttpOnly`' },
          }),
          ...problemResponses({ body: true }),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const profile = body.profile ?? body.slug;
      if (profile === undefined) throw invalidProfileSlug();
      const selection = { registry: registryOf(request, body.registry, request.query.registry), profile };
      if (!(await readProfileDocument(db, selection.registry, selection.profile))) {
        throw await missingProfileError(db, selection.registry);
      }
      reply.header('set-cookie', chatProfileSetCookie(selection));
      return answer(selection);
    },
  );
};
