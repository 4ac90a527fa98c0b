import { afterAll, beforeAll, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, type DomainEvent } from '../../src/events/event-types.js';
import type { SqlDatabase } from '../../src/events/sql-database.js';
import { verifyHashChain } from '../../src/events/verify-hash-chain.js';
import { describeEachBackend } from '../support/backends.js';
import { openEmptyEventDatabase } from '../support/event-stores.js';

const renamed = (at: number): DomainEvent => ({
  type: 'registry.updated',
  schema_version: CURRENT_SCHEMA_VERSION['registry.updated'],
  data: { display_name: `name ${at}` },
  metadata: { actor: 'a', source: 's', request_id: 'r', occurred_at_ms: at },
});

/** `serve --chain-check background` runs this check while it answers requests. */
describeEachBackend('the hash chain check on %s', (backend) => {
  let db: SqlDatabase;
  let remove: () => Promise<void> | void;

  beforeAll(async () => {
    ({ db, remove } = await openEmptyEventDatabase(backend));
    await db.transaction((tx) => tx.events.appendToStream('alpha', 0, Array.from({ length: 60 }, (_, i) => renamed(1000 + i))));
  });
  afterAll(async () => {
    await db?.close();
    await remove?.();
  });

  it('lets the event loop run between chunks, so that a server checking in the background keeps answering', async () => {
    // callbacks queued by the event loop's check phase: none would run while the check held the loop
    let turns = 0;
    let running = true;
    const countTurns = () => {
      turns += 1;
      if (running) setImmediate(countTurns);
    };
    setImmediate(countTurns);
    const report = await verifyHashChain(db, { chunkSize: 10 });
    running = false;
    expect(report).toEqual({ events: 60, streams: 1 });
    expect(turns).toBeGreaterThanOrEqual(6);
  });
});
