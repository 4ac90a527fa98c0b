import { describe, expect, it } from 'vitest';
import { readProfilesFile } from '../../src/domain/profiles-file.js';
import { DomainError } from '../../src/domain/errors.js';
import type { SchemaLookup } from '../../src/domain/profile-schema-validation.js';
import { newProfileContent } from '../../src/domain/profile.js';
import type { SchemaKind } from '../../src/domain/schema-documents.js';
import type { Command } from '../../src/events/commands.js';
import { decide, localDecideContext } from '../../src/events/decide.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent, type EventBody } from '../../src/events/event-types.js';
import { foldEvents } from '../../src/events/evolve.js';
import { readFixture } from '../support/fixtures.js';

const BUNDLE = readFixture('registry-bundle.yaml');

const stamped = (bodies: EventBody[]): DomainEvent[] =>
  bodies.map(
    (body) =>
      ({
        ...body,
        schema_version: CURRENT_SCHEMA_VERSION[body.type],
        metadata: { actor: 'test', source: 'import', request_id: 'r', occurred_at_ms: 1 },
      }) as DomainEvent,
  );

describe('converge_registry as import uses it', () => {
  const [registry] = readProfilesFile(BUNDLE, 'default').registries;
  const { slug, ...target } = registry;
  const command = { type: 'converge_registry', registry: slug, target, prune: false } as const;

  it('given no registry, when a bundle registry is imported, then it is created with its profiles and default', () => {
    const events = decide(undefined, command);
    expect(events.map((event) => event.type)).toEqual([
      'registry.created',
      ...Object.keys(target.profiles).map(() => 'profile.created'),
      'registry.default_profile_changed',
    ]);
    const state = foldEvents(stamped(events), slug);
    expect(state?.default_profile_slug).toBe('default');
    expect([...(state?.profiles.keys() ?? [])].sort()).toEqual(Object.keys(target.profiles).sort());
  });

  it('given the imported registry, when the same bundle is imported again, then nothing happens', () => {
    const state = foldEvents(stamped(decide(undefined, command)), slug);
    expect(decide(state, command)).toEqual([]);
  });

  it('given the imported registry, when one profile changed in the file, then only that profile is updated', () => {
    const state = foldEvents(stamped(decide(undefined, command)), slug);
    const changed = { ...target.profiles['ops-agent']!, description: 'changed' };
    const events = decide(state, { ...command, target: { ...target, profiles: { ...target.profiles, 'ops-agent': changed } } });
    expect(events).toEqual([{ type: 'profile.updated', data: { profile: 'ops-agent', version: 2, content: changed } }]);
  });
});

describe('converge_registry keeps what an import leaves out', () => {
  const created = foldEvents(
    stamped([
      { type: 'registry.created', data: { slug: 'default', display_name: 'Default', description: 'Shared' } },
    ]),
    'default',
  );

  it('keeps the display name and description a legacy file does not name, without prune', () => {
    const [legacy] = readProfilesFile('default: {ai-chat: {ai-engine: gpt-4o-mini}}\n', 'default').registries;
    const { slug, ...target } = legacy;
    const events = decide(created, { type: 'converge_registry', registry: slug, target, prune: false });
    expect(events.map((event) => event.type)).toEqual(['profile.created', 'registry.default_profile_changed']);
  });

  it('clears them with prune, so that a restore is exact', () => {
    const events = decide(created, { type: 'converge_registry', registry: 'default', target: { profiles: {} }, prune: true });
    expect(events).toEqual([{ type: 'registry.updated', data: { display_name: null, description: null } }]);
  });
});

describe('converge_registry as an import judges every profile the file holds', () => {
  const limits = { type: 'object', properties: { max_tokens: { type: 'integer', maximum: 100 } } };
  const schemas: SchemaLookup = Object.assign(
    (kind: SchemaKind, name: string) => (kind === 'middleware' && name === 'inference' ? { version: 1, schema: limits } : undefined),
    { hasEntries: (kind: SchemaKind) => kind === 'middleware' },
  );
  const content = newProfileContent('analyst', { runtime: { middlewares: [{ name: 'inference', config: { max_tokens: 500 } }] } });
  // stored before the schema was this strict
  const stored = foldEvents(
    stamped([
      { type: 'registry.created', data: { slug: 'team' } },
      { type: 'profile.created', data: { profile: 'analyst', version: 1, content } },
    ]),
    'team',
  );
  const importing: Extract<Command, { type: 'converge_registry' }> = {
    type: 'converge_registry',
    registry: 'team',
    target: { profiles: { analyst: content } },
    prune: false,
    errors_under: ['registries', 'team', 'profiles'],
  };

  it('given a stored profile the file repeats unchanged, when the schemas refuse it, then the import is refused at its place in the file', () => {
    let refusal: unknown;
    try {
      decide(stored, importing, { ...localDecideContext(stored), schemas });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).errors).toEqual([
      { path: '/registries/team/profiles/analyst/runtime/middlewares/0/config/max_tokens', message: 'must be <= 100' },
    ]);
  });

  it('given the same, when a converge names no file (a restore), then what it leaves unchanged is not judged again', () => {
    const { errors_under: _errorsUnder, ...converging } = importing;
    const events = decide(stored, converging, { ...localDecideContext(stored), schemas });
    expect(events.filter((event) => event.type.startsWith('profile.'))).toEqual([]);
  });
});
