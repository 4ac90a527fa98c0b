import { describe, expect, it } from 'vitest';
import { newProfileContent } from '../../src/domain/profile.js';
import { localDecideContext } from '../../src/events/decide.js';
import { foldTouched, type CommandOf, type StateOf, type StreamDecider, type StreamKind } from '../../src/events/decider.js';
import { withDecider } from '../../src/events/deciders.js';
import type { StoreCommand } from '../../src/events/commands.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent, type EventBody } from '../../src/events/event-types.js';
import { deepFreeze } from '../support/deep-freeze.js';

const stamped = (body: EventBody, index: number): DomainEvent =>
  ({
    ...body,
    schema_version: CURRENT_SCHEMA_VERSION[body.type],
    metadata: { actor: 'tester', source: 'test', request_id: `r${index}`, occurred_at_ms: 1_000 + index },
  }) as DomainEvent;

/**
 * Runs commands one after another on a stream the way the command runner does (decide, then the
 * decider's one fold of the new events), and beside it evolves the same events one at a time
 * from the initial state, as a reload from the log does: both must leave the same state.
 */
const runOnOneStream = (commands: StoreCommand[]) => {
  let history: DomainEvent[] = [];
  let state: unknown;
  for (const command of commands) {
    withDecider(command, <K extends StreamKind>(decider: StreamDecider<K>, routed: CommandOf<K>) => {
      const before = deepFreeze((history.length === 0 ? decider.initialState() : state) as StateOf<K>);
      // one stream alone: profiles are looked up in the registry itself, no profile names a schema
      const local = localDecideContext(decider.kind === 'registry' ? (before as StateOf<'registry'>) : undefined);
      const bodies = decider.decide(routed, before, { ...local, schemaUsers: [] });
      const events = bodies.map((body, index) => stamped(body, history.length + index));
      const stream = decider.streamOf(routed);
      const { after, touchedByEvent } = foldTouched(decider, before, stream, events);
      history = [...history, ...events];
      const reloaded = history.reduce((folded, event) => decider.evolve(folded, event), decider.initialState());
      expect(after).toEqual(reloaded);
      expect(decider.versionOf(after)).toBe(history.length);
      expect(touchedByEvent).toHaveLength(events.length);
      state = after;
    });
  }
  return { history, state };
};

describe('the decider record of each stream kind: what the runner folds is what a reload from the log gives', () => {
  it('a registry: created, a profile created, changed and made default', () => {
    const { history } = runOnOneStream([
      { type: 'create_registry', registry: 'reg' },
      { type: 'create_profile', registry: 'reg', slug: 'a', fields: { description: 'first' } },
      { type: 'put_profile', registry: 'reg', slug: 'b', content: newProfileContent('b', {}) },
      { type: 'update_profile', registry: 'reg', slug: 'b', fields: { description: 'second' }, set_default: true },
    ]);
    expect(history.map((event) => event.type)).toEqual([
      'registry.created',
      'profile.created',
      'registry.default_profile_changed',
      'profile.created',
      'profile.updated',
      'registry.default_profile_changed',
    ]);
  });

  it('the schema stream: a schema registered, changed, then deleted', () => {
    const document = (maximum: number) => ({
      name: 'inference',
      version: 1,
      schema: { type: 'object', properties: { max_tokens: { type: 'integer', maximum } } },
    });
    const { history, state } = runOnOneStream([
      { type: 'put_schema', kind: 'middleware', name: 'inference', document: document(100) },
      { type: 'put_schema', kind: 'middleware', name: 'inference', document: document(200) },
      { type: 'delete_schema', kind: 'middleware', name: 'inference' },
    ]);
    expect(history.map((event) => event.type)).toEqual(['schema.registered', 'schema.registered', 'schema.deleted']);
    expect(state).toMatchObject({ version: 3, entries: new Map(), tombstones: new Map([['middleware/inference', 3]]) });
  });
});
