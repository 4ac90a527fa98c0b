import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden, registryNotFound, validationError } from '../domain/errors.js';
import { redactJson, redactSecrets, SECRET_AREAS } from '../domain/secrets.js';
import { refuseInexactNumbers } from '../domain/intact-json.js';
import { unstorableField } from '../domain/parse-input.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { listContainingProfiles } from '../projections/profile-containment.js';
import { registryExists } from '../projections/read-model.js';
import { callerRole, revealsSecrets } from './auth/access-control.js';
import { mayAccessRegistry } from './auth/scope.js';
import { namedRegistry } from './request-input.js';

/** `?contains=` as its route's schema parses it: the JSON value (400 when it is not JSON, or holds what no profile can). */
export const parseContains = (raw: string): { value: unknown } => {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw validationError('contains', `must be JSON (${(error as Error).message})`);
  }
  refuseInexactNumbers(raw, value);
  const unstorable = unstorableField(value);
  if (unstorable !== undefined) throw validationError(`contains${unstorable.path ? `.${unstorable.path}` : ''}`, unstorable.message);
  return { value };
};

/** The parsed `?contains=` value, unless it matches on a secret and the caller is no admin (403). */
export const refuseSecretMatch = (request: FastifyRequest, value: unknown): unknown => {
  // matching on a secret's value would let a reader guess it one query at a time
  if (redactSecrets(value, SECRET_AREAS.profile) !== value && callerRole(request) !== 'admin') {
    throw forbidden('a contains query on a secret needs the admin role');
  }
  return value;
};

/**
 * `GET /api/chat/profiles?contains=<JSON>`: the profiles whose document contains the value
 * (PostgreSQL `@>` semantics), in the registry named by `?registry=`, or in every registry.
 */
export const sendContainingProfiles = async (
  db: SqlExecutor,
  request: FastifyRequest,
  reply: FastifyReply,
  query: unknown,
  namedInQuery: string | undefined,
) => {
  const registry = namedRegistry(request, namedInQuery);
  const found = await listContainingProfiles(db, query, registry);
  if (registry !== undefined && found.count === 0 && !(await registryExists(db, registry))) throw registryNotFound();
  let json = found.body.toString('utf8');
  if (registry === undefined && request.caller?.registries !== undefined) {
    const items = JSON.parse(json) as { registry: string }[];
    json = JSON.stringify(items.filter((item) => mayAccessRegistry(request, item.registry)));
  }
  if (!revealsSecrets(request)) json = redactJson(json, SECRET_AREAS.summaries);
  return reply.type('application/json; charset=utf-8').send(json);
};
