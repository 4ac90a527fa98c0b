import { describe, expect, it } from 'vitest';
import { readProfilesFile } from '../../src/domain/profiles-file.js';
import { decide } from '../../src/events/decide.js';
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
