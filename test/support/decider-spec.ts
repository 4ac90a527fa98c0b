import { expect } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import type { Command } from '../../src/events/commands.js';
import { decide } from '../../src/events/decide.js';
import { evolve, foldEvents } from '../../src/events/evolve.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent, type EventBody } from '../../src/events/event-types.js';
import { needs, type CommandNeeds } from '../../src/events/needs.js';
import { deepFreeze } from './deep-freeze.js';

const stamped = (body: EventBody, index: number): DomainEvent =>
  ({
    ...body,
    schema_version: CURRENT_SCHEMA_VERSION[body.type],
    metadata: { actor: 'tester', source: 'test', request_id: `r${index}`, occurred_at_ms: 1_000 + index },
  }) as DomainEvent;

/**
 * Given these events (folded into a registry's state), when this command: then these events or
 * this error, and it needs this loaded. The events and every state are frozen deeply, so each spec
 * also shows that neither evolve nor decide changes what it is given.
 */
export const given = (history: EventBody[]) => {
  const events = deepFreeze(history.map(stamped));
  const state = deepFreeze(foldEvents(events));
  const decideFrozen = (command: Command) => {
    const decided = deepFreeze(decide(state, deepFreeze(command)));
    // the new events fold onto the frozen state: evolve returns new states and leaves it as it was
    decided.reduce((folded, body, i) => deepFreeze(evolve(folded, stamped(body, history.length + i), 'reg')), state);
    return decided;
  };
  return {
    when: (command: Command) => ({
      then: (expected: EventBody[]) => expect(decideFrozen(command)).toEqual(expected),
      thenRefused: (code: DomainError['code'], message: string) => {
        let error: unknown;
        try {
          decideFrozen(command);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(DomainError);
        expect({ code: (error as DomainError).code, message: (error as DomainError).message }).toEqual({ code, message });
      },
      /** What the bus must load before deciding this command (`needs`), beside the registry's own state. */
      thenNeeds: (expected: Partial<CommandNeeds>) =>
        expect(needs(deepFreeze(command), state)).toEqual({ registries: [], dependentsOf: [], schemas: false, ...expected }),
    }),
  };
};
