import { afterAll, beforeAll, expect, it } from 'vitest';
import { bindsPosition, eventHash, GENESIS_HASH, recomputedHash } from '../../src/events/event-hash.js';
import { eventStoreSchema } from '../../src/events/event-store-schema.js';
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

/** Several instances share a store: one checks its chain at start while another writes. */
describeEachBackend('the hash chain check while another instance writes, on %s', (backend) => {
  let db: SqlDatabase;
  let remove: () => Promise<void> | void;

  beforeAll(async () => {
    ({ db, remove } = await openEmptyEventDatabase(backend));
    await db.transaction((tx) => tx.events.appendToStream('alpha', 0, [renamed(3000)]));
  });
  afterAll(async () => {
    await db?.close();
    await remove?.();
  });

  it('finds no break where a write committed between its reading the events and listing the stream heads', async () => {
    let written = 0;
    // the check reads through this executor; the other instance's commits go through the store
    const checked: SqlDatabase = {
      ...db,
      events: {
        ...db.events,
        listStreams: async () => {
          if (written < 2) {
            written += 1;
            await db.transaction((tx) => tx.events.appendToStream('alpha', written, [renamed(3000 + written)]));
          }
          return db.events.listStreams();
        },
      },
    };
    expect(await verifyHashChain(checked, { chunkSize: 10 })).toEqual({ events: 3, streams: 1 });
    expect(written).toBe(2);
  });
});

/**
 * A store written before hashes bound positions (format 1): its events were hashed without their
 * position, and on PostgreSQL its positions came from a sequence, which a rolled-back transaction
 * leaves a gap in. It must still verify; the events written after it bind their positions.
 */
describeEachBackend('events hashed before positions were bound, on %s', (backend) => {
  let db: SqlDatabase;
  let remove: () => Promise<void> | void;
  const oldWrite = async (position: number, version: number, prevHash: string): Promise<string> => {
    const event = renamed(2000 + version);
    const fields = {
      stream_id: 'old',
      stream_version: version,
      type: event.type,
      schema_version: event.schema_version,
      data_json: JSON.stringify(event.data),
      metadata_json: JSON.stringify(event.metadata),
    };
    const hash = eventHash(prevHash, fields);
    await db.run(
      `INSERT INTO events (position, stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [position, fields.stream_id, version, fields.type, fields.schema_version, fields.data_json, fields.metadata_json, 0, prevHash, hash],
    );
    await db.run(
      `INSERT INTO streams (stream_id, version, last_hash, last_position) VALUES ('old', $1, $2, $3)
       ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash, last_position = excluded.last_position`,
      [version, hash, position],
    );
    return hash;
  };

  beforeAll(async () => {
    ({ db, remove } = await openEmptyEventDatabase(backend));
    // the layout of then: no position counter; positions 1, 2, 4 (3 was rolled back)
    await db.exec('DROP TABLE IF EXISTS event_positions');
    let hash = GENESIS_HASH;
    for (const [position, version] of [[1, 1], [2, 2], [4, 3]]) hash = await oldWrite(position, version, hash);
    // what a server of this release does when it opens the database
    await db.exec(eventStoreSchema(db.flavour));
  });
  afterAll(async () => {
    await db?.close();
    await remove?.();
  });

  it('verify accepts the old events, gap included, and the new ones bind the positions that follow', async () => {
    expect(bindsPosition((await db.events.readRecords())[0].hash)).toBe(false);
    expect(await verifyHashChain(db)).toEqual({ events: 3, streams: 1 });
    const appended = await db.transaction((tx) => tx.events.appendToStream('old', 3, [renamed(3000), renamed(3001)]));
    expect(appended.map((event) => event.position)).toEqual([5, 6]);
    expect(appended.every((event) => bindsPosition(event.hash))).toBe(true);
    const records = await db.events.readRecords();
    for (const record of records) expect(recomputedHash(record.prev_hash, record)).toBe(record.hash);
    expect(await verifyHashChain(db)).toEqual({ events: 5, streams: 1 });
  });

  it('a deleted tail stays a hole once later events are written, and an event rehashed without its position is named', async () => {
    await db.run("DELETE FROM events WHERE position = 6");
    const kept = (await db.events.readRecord('old', 4))!;
    await db.run("UPDATE streams SET version = 4, last_hash = $1, last_position = 5 WHERE stream_id = 'old'", [kept.hash]);
    const [next] = await db.transaction((tx) => tx.events.appendToStream('old', 4, [renamed(4000)]));
    expect(next.position).toBe(7);
    expect((await verifyHashChain(db)).broken).toEqual({
      position: 7,
      streamId: 'old',
      streamVersion: 5,
      reason: 'position 6 is missing before it: an event was deleted',
    });
    // moving the event down to close the hole breaks its hash, which binds position 7
    await db.run('UPDATE events SET position = 6 WHERE position = 7');
    expect((await verifyHashChain(db)).broken?.reason).toBe('its stored bytes do not match its hash');
    // and rehashing it in the old format is named too
    const moved = (await db.events.readRecord('old', 5))!;
    const rehashed = eventHash(moved.prev_hash, moved);
    await db.run('UPDATE events SET hash = $1 WHERE position = 6', [rehashed]);
    await db.run("UPDATE streams SET last_hash = $1, last_position = 6 WHERE stream_id = 'old'", [rehashed]);
    expect((await verifyHashChain(db)).broken).toEqual({
      position: 6,
      streamId: 'old',
      streamVersion: 5,
      reason: 'its hash does not bind its position though the events before it do: it was rehashed',
    });
  });
});
