import type { FastifyReply } from 'fastify';

/** The header that marks an answer carrying real secrets (an admin's `?reveal=secrets`, a runtime's resolve). */
export const SECRETS_REVEALED_HEADER = 'profile-secrets';

/** An answer with real secrets is never stored by a browser or proxy, and says what it carries. */
export const markSecretsRevealed = (reply: FastifyReply): void => {
  reply.header('cache-control', 'no-store');
  reply.header(SECRETS_REVEALED_HEADER, 'revealed');
};
