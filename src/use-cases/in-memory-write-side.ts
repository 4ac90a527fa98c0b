import { createCommandBus, type CommandBus } from '../events/command-bus.js';
import { createInMemoryEventStore, type InMemoryEventLog } from '../events/in-memory/in-memory-event-store.js';
import { createUndoLog } from '../events/in-memory/undo-log.js';
import { createInMemoryProjectionStore } from '../projections/in-memory/in-memory-projection-store.js';
import type { ProjectionStore } from '../projections/projection-store.js';
import { createProjector, type ProjectorOptions } from '../projections/projector.js';
import { writeResults, type WriteResult } from './write-result.js';

export interface InMemoryWriteSide {
  bus: CommandBus<WriteResult>;
  events: InMemoryEventLog;
  projections: ProjectionStore;
}

/**
 * The write side entirely in memory (tests, tools that need no database): the same command bus,
 * projector and results as over SQL, on the in-memory event log and projection store, which roll
 * back together (one undo log).
 */
export const createInMemoryWriteSide = (options: ProjectorOptions & { now?: () => number } = {}): InMemoryWriteSide => {
  const undo = createUndoLog();
  const events = createInMemoryEventStore(undo);
  const projections = createInMemoryProjectionStore(undo);
  const bus = createCommandBus(events, { ...createProjector(() => projections, options), render: writeResults }, { now: options.now });
  return { bus, events, projections };
};
