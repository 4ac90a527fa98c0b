import { expect, it } from 'vitest';
import { newProfileContent } from '../../src/domain/profile.js';
import { evolve } from '../../src/events/evolve.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent, type EventBody } from '../../src/events/event-types.js';
import { stackedRegistries } from '../../src/events/profile-lookup.js';
import type { RegistryState } from '../../src/events/registry-state.js';

const stamped = (body: EventBody, index: number): DomainEvent =>
  ({
    ...body,
    schema_version: CURRENT_SCHEMA_VERSION[body.type],
    metadata: { actor: 'tester', source: 'test', request_id: `r${index}`, occurred_at_ms: 1_000 + index },
  }) as DomainEvent;

const stackedOn = (slug: string, ...registries: string[]) =>
  newProfileContent(slug, { stack: registries.map((registry) => ({ profile_slug: 'base', registry_slug: registry })) });

const history: EventBody[] = [
  { type: 'registry.created', data: { slug: 'reg' } },
  { type: 'profile.created', data: { profile: 'a', version: 1, content: stackedOn('a', 'x', 'y') } },
  { type: 'profile.created', data: { profile: 'b', version: 1, content: stackedOn('b', 'x') } },
  { type: 'profile.updated', data: { profile: 'a', version: 2, content: stackedOn('a', 'z') } },
  {
    type: 'profile.published',
    data: { profile: 'b', version: 1, key_id: 'k', algorithm: 'hmac-sha256', signed_at: '2026-12-06T00:00:00Z', signed_by: 'tester', value: 'ab' },
  },
  { type: 'profile.deleted', data: { profile: 'b', version: 1 } },
  { type: 'profile.created', data: { profile: 'b', version: 2, content: stackedOn('b', 'z', 'reg') } },
  { type: 'profile.updated', data: { profile: 'a', version: 3, content: stackedOn('a') } },
  { type: 'registry.deleted', data: {} },
  { type: 'registry.created', data: { slug: 'reg' } },
  { type: 'profile.created', data: { profile: 'c', version: 1, content: stackedOn('c', 'w') } },
];

/** The registries a state's profiles name, walked (what the kept counts must say). */
const walked = (state: RegistryState | undefined) =>
  state?.live ? [...new Set([...state.profiles.values()].flatMap((profile) => profile.content.stack.flatMap((ref) => ref.registry_slug ?? [])))].sort() : [];

it('keeps the registries a state stacks on through every event, as a walk of its profiles finds them', () => {
  const seen: string[][] = [];
  let counted: RegistryState | undefined;
  let uncounted: RegistryState | undefined;
  history.map(stamped).forEach((event, index) => {
    // asking counts a state: the next evolve starts from its counts (one asked at every step)
    counted = evolve(counted, event, 'reg');
    const kept = [...stackedRegistries(counted)].sort();
    expect(kept, `after event ${index} (${event.type})`).toEqual(walked(counted));
    // and one asked only every third step: its drafts are counted when first asked
    uncounted = evolve(uncounted, event, 'reg');
    if (index % 3 === 2) expect([...stackedRegistries(uncounted)].sort()).toEqual(walked(uncounted));
    seen.push(kept);
  });
  expect(seen).toEqual([[], ['x', 'y'], ['x', 'y'], ['x', 'z'], ['x', 'z'], ['z'], ['reg', 'z'], ['reg', 'z'], [], [], ['w']]);
});
