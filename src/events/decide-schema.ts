import { sameContent } from '../domain/canonical-json.js';
import { DomainError, schemaInUse, schemaNotFound, schemaVersionConflict } from '../domain/errors.js';
import { checkJsonSchema } from '../domain/json-schema-check.js';
import type { RegisteredSchema } from '../domain/profile-schema-validation.js';
import { policiesInForce, schemaUseErrors } from '../domain/profile-schema-validation.js';
import type { ProfileContent } from '../domain/profile.js';
import type { SchemaKind, SchemaPolicies } from '../domain/schema-documents.js';
import type { SchemaCommand } from './commands.js';
import type { BrokenProfile, EventBody } from './event-types.js';
import { hasSchemasOfKind, schemaKey, schemaVersionAfter, type SchemaState } from './schema-state.js';

/** A stored live profile that names the schema a command changes, with its registry's policies. */
export interface ProfileUsingSchema {
  registry: string;
  policies: SchemaPolicies;
  content: ProfileContent;
}

/**
 * The profiles (of those that name it) that the schema `registered` (undefined: none) would leave
 * invalid, judged with the policies in force once the change is made: deleting a middleware's
 * schema while others stay registered leaves its name unknown, and refused.
 */
const brokenBy = (
  state: SchemaState,
  kind: SchemaKind,
  name: string,
  registered: RegisteredSchema | undefined,
  profiles: readonly ProfileUsingSchema[],
): BrokenProfile[] => {
  const middlewaresAfter = kind === 'middleware' ? registered !== undefined || hasSchemasOfKind(state, kind, name) : hasSchemasOfKind(state, 'middleware');
  return profiles.flatMap(({ registry, policies, content }) => {
    const errors = schemaUseErrors(content, kind, name, registered, policiesInForce(policies, middlewaresAfter));
    return errors.length === 0 ? [] : [{ registry, profile: content.slug, path: errors[0].path, message: errors[0].message }];
  });
};

const refuseBreaking = (kind: SchemaKind, name: string, broken: BrokenProfile[]): never => {
  throw schemaInUse(kind, name, broken);
};

/** A change that breaks stored profiles is refused, unless forced; a forced one records them. */
const forcedData = (kind: SchemaKind, name: string, broken: BrokenProfile[], force: boolean | undefined) => {
  if (broken.length > 0 && force !== true) refuseBreaking(kind, name, broken);
  return force === true ? { forced: { broken } } : {};
};

/**
 * The judge of the schema stream: from the registered schemas, a command and the stored live
 * profiles that name its schema, the events that happen, or a DomainError. Pure.
 */
export const decideSchema = (
  state: SchemaState,
  command: SchemaCommand,
  profiles: readonly ProfileUsingSchema[],
): EventBody[] => {
  const { kind, name } = command;
  if (command.type === 'put_schema' && command.exempt !== undefined) {
    const exempt = new Set(command.exempt);
    profiles = profiles.filter((profile) => !exempt.has(`${profile.registry}/${profile.content.slug}`));
  }
  const current = state.entries.get(schemaKey(kind, name));
  const version = schemaVersionAfter(state, kind, name);
  const expected = command.expected_version;
  if (expected !== undefined && expected > 0 && expected !== version) {
    throw schemaVersionConflict(kind, name, expected, version);
  }
  if (command.type === 'put_schema') {
    checkJsonSchema(command.document.schema);
    if (current && sameContent(current.document, command.document)) return [];
    const broken = brokenBy(state, kind, name, { version: version + 1, schema: command.document.schema }, profiles);
    return [
      {
        type: 'schema.registered',
        data: { kind, name, version: version + 1, document: command.document, ...forcedData(kind, name, broken, command.force) },
      },
    ];
  }
  if (!current) throw schemaNotFound(kind);
  const broken = brokenBy(state, kind, name, undefined, profiles);
  return [{ type: 'schema.deleted', data: { kind, name, version: version + 1, ...forcedData(kind, name, broken, command.force) } }];
};
