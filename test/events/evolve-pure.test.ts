import { expect, it } from 'vitest';
import { newProfileContent } from '../../src/domain/profile.js';
import { evolve, foldEvents } from '../../src/events/evolve.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent, type EventBody } from '../../src/events/event-types.js';
import { deepFreeze } from '../support/deep-freeze.js';

const stamped = (body: EventBody, index: number): DomainEvent =>
  ({
    ...body,
    schema_version: CURRENT_SCHEMA_VERSION[body.type],
    metadata: { actor: `actor-${index}`, source: 'test', request_id: `r${index}`, occurred_at_ms: 1_000 + index },
  }) as DomainEvent;

const history: EventBody[] = [
  { type: 'registry.created', data: { slug: 'reg', display_name: 'Reg' } },
  { type: 'profile.created', data: { profile: 'a', version: 1, content: newProfileContent('a', {}) } },
  { type: 'registry.default_profile_changed', data: { profile: 'a' } },
  { type: 'profile.created', data: { profile: 'b', version: 1, content: newProfileContent('b', {}) } },
  { type: 'profile.updated', data: { profile: 'b', version: 2, content: newProfileContent('b', { description: 'x' }) } },
  { type: 'profile.deleted', data: { profile: 'a', version: 1 } },
  { type: 'registry.updated', data: { description: 'd', unknown_extensions: 'refuse' } },
  { type: 'registry.deleted', data: {} },
  { type: 'registry.created', data: { slug: 'reg' } },
];

it('evolve returns a new state at every step and leaves the frozen state and event it was given as they were', () => {
  const events = deepFreeze(history.map(stamped));
  const states = [undefined as ReturnType<typeof evolve> | undefined];
  for (const event of events) states.push(deepFreeze(evolve(states.at(-1), event, 'reg')));
  expect(new Set(states).size).toBe(states.length);
  expect(states.map((state) => state?.version)).toEqual([undefined, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(states[5]?.profiles.get('b')?.version).toBe(2);
  expect(states[6]?.tombstones.get('a')).toBe(1);
  expect(states[8]).toMatchObject({ live: false, description: 'd', unknown_extensions: 'refuse' });
  expect([...(states[8]?.tombstones ?? [])]).toEqual([['a', 1], ['b', 2]]);
  expect(states[9]).toMatchObject({ live: true, version: 9 });
  expect(states[9]).not.toHaveProperty('description');
  // a fold from any frozen state gives what evolving one event at a time gave
  expect(foldEvents(events.slice(3), 'reg', states[3])).toEqual(states[9]);
  expect(foldEvents(events, 'reg')).toEqual(states[9]);
});
