import { createCommandBus, type CommandBus } from '../../events/command-bus.js';
import { createInMemoryEventStore, type InMemoryEventLog } from '../../events/in-memory/in-memory-event-store.js';
import { createUndoLog } from '../../events/in-memory/undo-log.js';
import type { ProjectionStore } from '../projection-store.js';
import { createProjector, type ProjectorOptions, type WriteResult } from '../projector.js';
import { createInMemoryProjectionStore } from './in-memory-projection-store.js';

export interface InMemoryWriteSide {
  bus: CommandBus<WriteResult>;
  events: InMemoryEventLog;
  projections: ProjectionStore;
}

/**
 * The write side entirely in memory (tests, tools that need no database): the same command bus
 * and projector as over SQL, on the in-memory event log and projection store, which roll back
 * together (one undo log).
 */
export const createInMemoryWriteSide = (options: ProjectorOptions & { now?: () => number } = {}): InMemoryWriteSide => {
  const undo = createUndoLog();
  const events = createInMemoryEventStore(undo);
  const projections = createInMemoryProjectionStore(undo);
  const bus = createCommandBus(events, createProjector(() => projections, options), { now: options.now });
  return { bus, events, projections };
};
