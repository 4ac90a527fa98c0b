import { describe, expect, it } from 'vitest';
import type { SqlExecutor } from '../../src/events/sql-database.js';
import { cachedRead } from '../../src/projections/read-model.js';

/** A database whose change marker the test moves (a number, or a promise of one as PostgreSQL's may be). */
const fakeDb = (marker: { now: number; promised?: boolean }) =>
  ({ changeMarker: () => (marker.promised ? Promise.resolve(marker.now) : marker.now) }) as unknown as SqlExecutor;

describe('the read cache', () => {
  it('answers a kept read at once (no promise), by the same parts in the same order, and loads other parts', async () => {
    const db = fakeDb({ now: 1 });
    let loads = 0;
    const load = (value: string) => async () => {
      loads += 1;
      return value;
    };
    expect(await cachedRead(db, ['document', 'a', 'b c'], load('first'))).toBe('first');
    expect(cachedRead(db, ['document', 'a', 'b c'], load('again'))).toBe('first');
    // the old key string `document a b c` named both of these
    expect(await cachedRead(db, ['document', 'a b', 'c'], load('second'))).toBe('second');
    expect(await cachedRead(db, ['document', 'a'], load('third'))).toBe('third');
    expect(await cachedRead(db, ['document', 'b c', 'a'], load('fourth'))).toBe('fourth');
    expect(loads).toBe(4);
    expect(cachedRead(db, ['document', 'a b', 'c'], load('again'))).toBe('second');
    expect(cachedRead(db, ['document', 'a'], load('again'))).toBe('third');
    expect(loads).toBe(4);
  });

  it('keeps undefined (a profile that is not there) as an answer too', async () => {
    const db = fakeDb({ now: 1 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      return undefined;
    };
    expect(await cachedRead(db, ['document', 'r', 'missing'], load)).toBeUndefined();
    expect(cachedRead(db, ['document', 'r', 'missing'], load)).toBeUndefined();
    expect(loads).toBe(1);
  });

  it('loads again after a commit (a newer marker), and through a promised marker', async () => {
    const marker = { now: 1, promised: false };
    const db = fakeDb(marker);
    expect(await cachedRead(db, ['k'], async () => 'v1')).toBe('v1');
    marker.now = 2;
    expect(await cachedRead(db, ['k'], async () => 'v2')).toBe('v2');
    marker.promised = true;
    const promised = cachedRead(db, ['k'], async () => 'v3');
    expect(promised).toBeInstanceOf(Promise);
    expect(await promised).toBe('v2');
    marker.now = 3;
    expect(await cachedRead(db, ['k'], async () => 'v3')).toBe('v3');
  });

  it('starts again past its size and still answers every read', async () => {
    const db = fakeDb({ now: 1 });
    for (let i = 0; i < 4500; i++) expect(await cachedRead(db, ['n', String(i)], async () => i)).toBe(i);
    expect(cachedRead(db, ['n', '4499'], async () => -1)).toBe(4499);
  });

  it('reads the database each time without a change marker', async () => {
    const db = {} as SqlExecutor;
    let loads = 0;
    const load = async () => (loads += 1);
    await cachedRead(db, ['k'], load);
    await cachedRead(db, ['k'], load);
    expect(loads).toBe(2);
  });
});
