import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { newProfileContent } from '../../src/domain/profile.js';
import { decide, localDecideContext } from '../../src/events/decide.js';
import { decideSchema, type ProfileUsingSchema } from '../../src/events/decide-schema.js';
import { foldEvents } from '../../src/events/evolve.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent, type EventBody } from '../../src/events/event-types.js';
import { upcastEventData } from '../../src/events/upcast-event.js';
import { foldSchemaEvents, schemaLookupOf } from '../../src/events/schema-state.js';

const stamped = (body: EventBody, index: number): DomainEvent =>
  ({
    ...body,
    schema_version: CURRENT_SCHEMA_VERSION[body.type],
    metadata: { actor: 'tester', source: 'test', request_id: `r${index}`, occurred_at_ms: 1_000 + index },
  }) as DomainEvent;

const limits = { type: 'object', properties: { max_tokens: { type: 'integer', maximum: 100 } } };
const registered = (version: number, schema: unknown): EventBody => ({
  type: 'schema.registered',
  data: { kind: 'middleware', name: 'inference', version, document: { name: 'inference', version: 1, schema } },
});
const schemasAfter = (...bodies: EventBody[]) => foldSchemaEvents(bodies.map(stamped));

const refusal = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('not refused');
};

const using = (maxTokens: number, policies: ProfileUsingSchema['policies'] = {}): ProfileUsingSchema => ({
  registry: 'team',
  policies,
  content: newProfileContent('analyst', { runtime: { middlewares: [{ name: 'inference', config: { max_tokens: maxTokens } }] } }),
});

describe('decideSchema: given the schema stream, when a schema command, then events or a refusal', () => {
  it('registers a new schema at version 1, a change at the next version, and nothing for the same document', () => {
    const command = { type: 'put_schema', kind: 'middleware', name: 'inference', document: { name: 'inference', version: 1, schema: limits } } as const;
    expect(decideSchema(schemasAfter(), command, [])).toEqual([registered(1, limits)]);
    expect(decideSchema(schemasAfter(registered(1, limits)), command, [])).toEqual([]);
    expect(decideSchema(schemasAfter(registered(1, {})), command, [])).toEqual([registered(2, limits)]);
  });

  it('continues the versions of a deleted schema when it is registered again', () => {
    const history = schemasAfter(registered(1, {}), { type: 'schema.deleted', data: { kind: 'middleware', name: 'inference', version: 2 } });
    const command = { type: 'put_schema', kind: 'middleware', name: 'inference', document: { name: 'inference', version: 1, schema: limits } } as const;
    expect(decideSchema(history, command, [])).toEqual([registered(3, limits)]);
  });

  it('refuses a change that breaks a stored profile, and records the broken ones when forced', () => {
    const command = { type: 'put_schema', kind: 'middleware', name: 'inference', document: { name: 'inference', version: 1, schema: limits } } as const;
    const error = refusal(() => decideSchema(schemasAfter(registered(1, {})), command, [using(500), using(50)]));
    expect(error.code).toBe('schema_in_use');
    expect(error.profiles).toEqual([{ registry: 'team', slug: 'analyst', path: '/runtime/middlewares/0/config/max_tokens', message: 'must be <= 100' }]);
    const forced = decideSchema(schemasAfter(registered(1, {})), { ...command, force: true }, [using(500)]);
    expect(forced).toEqual([
      {
        ...registered(2, limits),
        data: {
          ...registered(2, limits).data,
          forced: { broken: [{ registry: 'team', profile: 'analyst', path: '/runtime/middlewares/0/config/max_tokens', message: 'must be <= 100' }] },
        },
      },
    ]);
  });

  it('refuses deleting a middleware schema that stored profiles rely on while the catalog keeps entries; the last one only where a registry refuses unknown names', () => {
    const command = { type: 'delete_schema', kind: 'middleware', name: 'inference' } as const;
    const deleted = [{ type: 'schema.deleted', data: { kind: 'middleware', name: 'inference', version: 2 } }];
    const other: EventBody = {
      type: 'schema.registered',
      data: { kind: 'middleware', name: 'retry', version: 1, document: { name: 'retry', version: 1, schema: {} } },
    };
    // another middleware stays registered: "inference" would become unknown, refused by default
    const withOther = schemasAfter(registered(1, limits), other);
    expect(refusal(() => decideSchema(withOther, command, [using(5)])).message).toMatch(
      /^middleware schema "inference" change would invalidate 1 stored profile\(s\): team\/analyst \(runtime\.middlewares\[0\]\.name: no schema is registered for middleware "inference"\)/,
    );
    expect(decideSchema(withOther, { ...command, force: true }, [using(5)])[0].data).toMatchObject({ forced: { broken: [{ profile: 'analyst' }] } });
    // the last one: the catalog is empty again, unknown names are accepted but where a registry refuses them
    const state = schemasAfter(registered(1, limits));
    expect(refusal(() => decideSchema(state, command, [using(5, { unknown_middlewares: 'refuse' })])).code).toBe('schema_in_use');
    expect(decideSchema(state, command, [using(5)])).toEqual(deleted);
    expect(refusal(() => decideSchema(schemasAfter(), command, [])).message).toBe('middleware schema not found');
  });

  it('refuses a value that is not a JSON Schema', () => {
    const command = { type: 'put_schema', kind: 'extension', name: 'a.b@v1', document: { key: 'a.b@v1', schema: { minimum: 'ten' } } } as const;
    const error = refusal(() => decideSchema(schemasAfter(), command, []));
    expect(error.code).toBe('validation');
    expect(error.errors?.[0].path).toBe('/schema/minimum');
  });
});

describe('decide: profile writes against the registered schemas', () => {
  const registry = foldEvents([stamped({ type: 'registry.created', data: { slug: 'team', unknown_extensions: 'refuse' } }, 0)]);
  const schemas = schemaLookupOf(schemasAfter(registered(1, limits)));
  const context = { ...localDecideContext(registry), schemas };

  it('refuses a config its schema refuses, and an extension without a schema where the registry refuses unknown ones', () => {
    const create = (fields: object) => () => decide(registry, { type: 'create_profile', registry: 'team', slug: 'p', fields }, context);
    expect(refusal(create({ runtime: { middlewares: [{ name: 'inference', config: { max_tokens: 101 } }] } })).message).toBe(
      'validation error (runtime.middlewares[0].config.max_tokens): must be <= 100',
    );
    expect(refusal(create({ extensions: { 'a.b@v1': {} } })).message).toBe(
      'validation error (extensions.a.b@v1): no schema is registered for extension "a.b@v1"',
    );
    expect(create({ runtime: { middlewares: [{ name: 'inference', config: { max_tokens: 100 } }] } })()).toHaveLength(2);
  });

  it('refuses a middleware without a schema once the catalog has entries, in every registry; accepts it while the catalog is empty', () => {
    const plain = foldEvents([stamped({ type: 'registry.created', data: { slug: 'team' } }, 0)]);
    const create = (lookup: typeof schemas) => () =>
      decide(plain, { type: 'create_profile', registry: 'team', slug: 'p', fields: { runtime: { middlewares: [{ name: 'inference' }, { name: 'other' }] } } }, { ...localDecideContext(plain), schemas: lookup });
    expect(refusal(create(schemas)).message).toBe('validation error (runtime.middlewares[1].name): no schema is registered for middleware "other"');
    expect(create(schemaLookupOf(schemasAfter()))()).toHaveLength(2);
    // extensions without a schema stay accepted where the registry does not refuse them
    expect(decide(plain, { type: 'create_profile', registry: 'team', slug: 'q', fields: { extensions: { 'a.b@v1': {} } } }, { ...localDecideContext(plain), schemas })).toHaveLength(2);
  });

  it('reads registry events of schema version 1 (before the schema policies) as they are', () => {
    const old = { slug: 'team', display_name: 'Team' };
    expect(upcastEventData('registry.created', 1, old)).toEqual(old);
    const state = foldEvents([{ ...stamped({ type: 'registry.created', data: old }, 0), schema_version: 1 }]);
    expect(state).toMatchObject({ slug: 'team', display_name: 'Team', live: true });
    expect(state).not.toHaveProperty('unknown_middlewares');
  });

  it('upcasts step by step, and refuses a schema version it has no upcaster for or that is newer than it knows', () => {
    expect(() => upcastEventData('registry.created', 3, {})).toThrow('has schema version 3, newer than 2');
    expect(() => upcastEventData('profile.updated', 0, {})).toThrow('event type "profile.updated" has no upcaster from schema version 0');
    expect(() => upcastEventData('profile.renamed', 1, {})).toThrow('unknown event type "profile.renamed"');
  });
});
