import { describe } from 'vitest';
import type { CommandBus } from '../../src/events/command-bus.js';
import type { EventStore } from '../../src/events/event-store.js';
import { createInMemoryWriteSide } from '../../src/use-cases/in-memory-write-side.js';
import type { ProjectionStore } from '../../src/projections/projection-store.js';
import type { ProjectorOptions } from '../../src/projections/projector.js';
import type { WriteResult } from '../../src/use-cases/write-result.js';
import { sqlProjectionStore } from '../../src/projections/sql-projection-store.js';
import { describeEachBackend } from './backends.js';
import { openTestStore, type Backend } from './test-store.js';

/** An empty write side under test: the command bus, and the event log and projections it writes, read outside transactions. */
export interface WriteSideUnderTest {
  bus: CommandBus<WriteResult>;
  events: EventStore;
  projections: ProjectionStore;
  close(): Promise<void>;
}

export type WriteSideOptions = ProjectorOptions & { now?: () => number };

const openWriteSide = async (backend: Backend | 'in-memory', options: WriteSideOptions): Promise<WriteSideUnderTest> => {
  if (backend === 'in-memory') {
    const { bus, events, projections } = createInMemoryWriteSide(options);
    return { bus, events, projections, close: () => bus.close() };
  }
  const t = await openTestStore(backend, options);
  return { bus: t.store.bus, events: t.store.db.events, projections: sqlProjectionStore(t.store.db, t.store.seal), close: t.close };
};

/**
 * Declares a suite once per write side: the command bus and projector in memory, over a SQLite
 * file, over a fresh PostgreSQL schema (skipped with the reason when none answers).
 */
export const describeEachWriteSide = (
  title: string,
  factory: (open: (options?: WriteSideOptions) => Promise<WriteSideUnderTest>) => void,
): void => {
  describe(title.replace('%s', 'in-memory'), () => factory((options = {}) => openWriteSide('in-memory', options)));
  describeEachBackend(title, (backend) => factory((options = {}) => openWriteSide(backend, options)));
};
