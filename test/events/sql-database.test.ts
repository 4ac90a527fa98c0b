import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { CURRENT_SCHEMA_VERSION, type DomainEvent } from '../../src/events/event-types.js';
import { describeEachBackend, describeOnPostgres } from '../support/backends.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

const created: DomainEvent = {
  type: 'registry.created',
  data: { slug: 'alpha' },
  schema_version: CURRENT_SCHEMA_VERSION['registry.created'],
  metadata: { actor: 'a', source: 's', request_id: 'r', occurred_at_ms: 1000 },
};

describeEachBackend('the SQL database on %s', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(backend);
  });
  afterAll(async () => t?.close());

  it('keeps (stream_id, stream_version) unique even past the version check', async () => {
    const db = t.store.db;
    await db.transaction((tx) => tx.events.appendToStream('alpha', 0, [created]));
    const before = await storeSnapshot(db);
    const duplicate = db.transaction((tx) =>
      tx.run(
        `INSERT INTO events (stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
         VALUES ('alpha', 1, 'registry.updated', 1, '{}', '{}', 0, 'x', 'y')`,
      ),
    );
    await expect(duplicate).rejects.toThrow(/unique/i);
    expect(await storeSnapshot(db)).toEqual(before);
  });

  it('throws a failed write inside its savepoint, which takes back only its writes, and a failed write outside one fails the transaction', async () => {
    const db = t.store.db;
    const createdAs = (slug: string): DomainEvent => ({ ...created, data: { slug } }) as DomainEvent;
    const duplicate = (slug: string) =>
      `INSERT INTO events (stream_id, stream_version, type, schema_version, data_json, metadata_json, occurred_at_ms, prev_hash, hash)
       VALUES ('${slug}', 1, 'registry.updated', 1, '{}', '{}', 0, 'x', 'y')`;
    await db.transaction((tx) => tx.events.appendToStream('gamma', 0, [createdAs('gamma')]));
    await db.transaction(async (tx) => {
      await tx.events.appendToStream('delta', 0, [createdAs('delta')]);
      const refused = tx.savepoint(async () => {
        await tx.events.appendToStream('epsilon', 0, [createdAs('epsilon')]);
        await tx.write(duplicate('gamma'));
      });
      await expect(refused).rejects.toThrow(/unique/i);
    });
    expect((await db.events.readStream('delta')).length).toBe(1);
    expect(await db.events.readStream('epsilon')).toEqual([]);
    const before = await storeSnapshot(db);
    const failed = db.transaction(async (tx) => {
      await tx.events.appendToStream('zeta', 0, [createdAs('zeta')]);
      await tx.write(duplicate('gamma'));
    });
    await expect(failed).rejects.toThrow(/unique/i);
    expect(await storeSnapshot(db)).toEqual(before);
  });

  it('binds $1, $2 by number, $1 used twice being one value, inside and outside a transaction', async () => {
    const sql = 'SELECT CAST($1 AS TEXT) AS a, CAST($2 AS TEXT) AS b, CAST($1 AS TEXT) AS c';
    expect(await t.store.db.get(sql, ['x', 'y'])).toEqual({ a: 'x', b: 'y', c: 'x' });
    expect(await t.store.db.transaction((tx) => tx.get(sql, ['p', 'q']))).toEqual({ a: 'p', b: 'q', c: 'p' });
  });
});

describeOnPostgres('SQL text on postgres', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore('postgres');
  });
  afterAll(async () => t?.close());

  it('reaches PostgreSQL as written: the ?-family jsonb operators work beside parameters', async () => {
    const row = await t.store.db.get<{ has: boolean; any: boolean; all: boolean }>(
      `SELECT CAST($1 AS JSONB) ? 'a' AS has, CAST($1 AS JSONB) ?| array['x', 'b'] AS any, CAST($1 AS JSONB) ?& array['a', 'x'] AS all`,
      [JSON.stringify({ a: 1, b: 2 })],
    );
    expect(row).toEqual({ has: true, any: true, all: false });
  });

  it('chains an append on the stored head after another instance appended and after a rolled-back append', async () => {
    const renamed = (n: number): DomainEvent => ({ ...created, type: 'registry.updated', data: { slug: 'beta', display_name: `B${n}` } } as DomainEvent);
    const mine = t.store.db;
    const other = (await t.reopen()).db;
    await mine.transaction((tx) => tx.events.appendToStream('beta', 0, [{ ...created, data: { slug: 'beta' } }]));
    // this instance appends v2 and takes it back: what it last wrote is not what the store holds
    const refused = mine.transaction(async (tx) => {
      await tx.events.appendToStream('beta', 1, [renamed(1)]);
      throw new Error('refused');
    });
    await expect(refused).rejects.toThrow('refused');
    // another instance writes v2: another event, so another hash
    await other.transaction((tx) => tx.events.appendToStream('beta', 1, [renamed(2)]));
    await expect(mine.transaction((tx) => tx.events.appendToStream('beta', 1, [renamed(3)]))).rejects.toThrow(/version/i);
    const [third] = await mine.transaction((tx) => tx.events.appendToStream('beta', 2, [renamed(3)]));
    const stream = await mine.events.readStream('beta');
    expect(stream.map((event) => [event.stream_version, (event.data as { display_name?: string }).display_name])).toEqual([
      [1, undefined],
      [2, 'B2'],
      [3, 'B3'],
    ]);
    expect(third.prev_hash).toBe(stream[1].hash);
    expect(await mine.events.streamHead('beta')).toEqual({ version: 3, hash: third.hash });
  });

  it('moves the head of a stream appended to in several savepoints of one transaction without locking its row (no MultiXact)', async () => {
    const renamed = (n: number): DomainEvent => ({ ...created, type: 'registry.updated', data: { slug: 'eta', display_name: `E${n}` } } as DomainEvent);
    const db = t.store.db;
    await db.transaction(async (tx) => {
      await tx.savepoint(() => tx.events.appendToStream('eta', 0, [{ ...created, data: { slug: 'eta' } }]));
      for (let version = 1; version <= 3; version++) await tx.savepoint(() => tx.events.appendToStream('eta', version, [renamed(version)]));
    });
    // an upsert locked the row in each savepoint, which left a MultiXact as its xmax; an UPDATE leaves none
    expect(await db.get(`SELECT xmax::text AS xmax, version FROM streams WHERE stream_id = 'eta'`)).toEqual({ xmax: '0', version: 4 });
    expect((await db.events.readStream('eta')).map((event) => event.stream_version)).toEqual([1, 2, 3, 4]);
  });

  it('sends the statements a write transaction sends in one tick with one system call', async () => {
    const writes: number[] = [];
    const { Socket } = await import('node:net');
    const socket = Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
    const spies = [vi.spyOn(socket, '_writev'), vi.spyOn(socket, '_write')];
    const calls = () => spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
    try {
      await t.store.db.transaction(async (tx) => {
        await tx.write(`CREATE TEMP TABLE IF NOT EXISTS ticks (n INTEGER)`);
        const before = calls();
        await Promise.all([tx.write('INSERT INTO ticks VALUES (1)'), tx.write('INSERT INTO ticks VALUES (2)'), tx.get('SELECT count(*)::int AS n FROM ticks')]);
        writes.push(calls() - before);
      });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(writes).toEqual([1]);
  });
});
