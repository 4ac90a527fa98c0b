import { expect } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import type { Command } from '../../src/events/commands.js';
import { decide } from '../../src/events/decide.js';
import { foldEvents } from '../../src/events/evolve.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent, type EventBody } from '../../src/events/event-types.js';

const stamped = (body: EventBody, index: number): DomainEvent =>
  ({
    ...body,
    schema_version: CURRENT_SCHEMA_VERSION[body.type],
    metadata: { actor: 'tester', source: 'test', request_id: `r${index}`, occurred_at_ms: 1_000 + index },
  }) as DomainEvent;

/** Given these events (folded into a registry's state), when this command: then these events or this error. */
export const given = (history: EventBody[]) => {
  const state = foldEvents(history.map(stamped));
  return {
    when: (command: Command) => ({
      then: (expected: EventBody[]) => expect(decide(state, command)).toEqual(expected),
      thenRefused: (code: DomainError['code'], message: string) => {
        let error: unknown;
        try {
          decide(state, command);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(DomainError);
        expect({ code: (error as DomainError).code, message: (error as DomainError).message }).toEqual({ code, message });
      },
    }),
  };
};
