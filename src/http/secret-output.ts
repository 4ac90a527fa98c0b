import type { FastifyRequest } from 'fastify';
import { redactChanges, redactJson, redactSecrets, type SecretAreas } from '../domain/secrets.js';
import { callerRole, revealsSecrets } from './auth/access-control.js';

/** What a response shows of secrets: "***" unless an admin asked `?reveal=secrets`. */

export const shownJson = (request: FastifyRequest, json: string, areas: SecretAreas): string =>
  revealsSecrets(request) ? json : redactJson(json, areas);

export const shownValue = <T>(request: FastifyRequest, value: T, areas: SecretAreas): T =>
  revealsSecrets(request) ? value : redactSecrets(value, areas);

export const shownChanges = <Op extends { path: string; value?: unknown }>(
  request: FastifyRequest,
  changes: Op[],
  areas: SecretAreas,
): Op[] => (revealsSecrets(request) ? changes : redactChanges(changes, areas));

/** Resolve gives real secrets to those who run chats with them: `runtime` and `admin` (everyone without auth). */
export const seesRuntimeSecrets = (request: FastifyRequest): boolean => {
  const role = callerRole(request);
  return role === 'runtime' || role === 'admin';
};
