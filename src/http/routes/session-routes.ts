import { z } from 'zod';
import { callerRole } from '../auth/access-control.js';
import { ROLES } from '../auth/roles.js';
import type { RoutesPlugin } from '../route-schema.js';
import { jsonAnswer } from '../schemas/answers.js';
import { problemResponses } from '../schemas/problems.js';

export const sessionSchema = z.object({
  name: z.string().nullable().describe("the token's name (the actor of its writes); null without auth"),
  role: z.enum(ROLES),
  registries: z.array(z.string()).optional().describe('the registries a limited token may see and change'),
});

/** GET /api/session: who the token is, so that a client (the console) shows only what the role may do. */
export const sessionRoutes: RoutesPlugin<Record<never, never>> = async (app) => {
  app.get(
    '/api/session',
    {
      config: { role: 'reader' },
      schema: {
        operationId: 'getSession',
        tags: ['operations'],
        summary: 'Who the token is: its name, role and registries (when limited)',
        response: { 200: jsonAnswer(sessionSchema, 'the caller'), ...problemResponses() },
      },
    },
    async (request) => ({
      name: request.caller?.name ?? null,
      role: callerRole(request),
      ...(request.caller?.registries === undefined ? {} : { registries: [...request.caller.registries].sort() }),
    }),
  );
};
