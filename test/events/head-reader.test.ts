import { describe, expect, it } from 'vitest';
import { commitWait, createHeadReader } from '../../src/events/postgres/head-reader.js';

/** A head query the test answers by hand, and a clock it moves by hand. */
const fixture = (leaseMs: number) => {
  let time = 0;
  let head = 0;
  const started: { at: number; answer: () => void; answered: boolean }[] = [];
  const reader = createHeadReader(
    () =>
      new Promise<number>((resolve) => {
        const seen = head; // the query's snapshot: what was committed when it started
        started.push({ at: time, answer: () => resolve(seen), answered: false });
      }),
    { leaseMs, now: () => time },
  );
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    reader,
    started,
    commit: () => (head += 1),
    advance: (ms: number) => (time += ms),
    /** Answers the oldest query still open, then lets its callers run. */
    answer: async () => {
      const query = started.find((open) => !open.answered);
      if (!query) throw new Error('no query is waiting for an answer');
      query.answered = true;
      query.answer();
      await settle();
    },
    settle,
  };
};

describe('the head of the event log, as reads check it on PostgreSQL', () => {
  it('without a lease, a read waits for a query that starts after it arrived, shared by the reads that wait with it', async () => {
    const f = fixture(0);
    const first = f.reader.marker();
    expect(first).toBeInstanceOf(Promise);
    f.commit(); // committed while the first query runs: a read that arrives now must see it
    const second = f.reader.marker();
    const third = f.reader.marker();
    await f.answer();
    expect(await first).toBe(0);
    await f.settle();
    expect(f.started).toHaveLength(2); // the second and third share the next query
    await f.answer();
    expect([await second, await third]).toEqual([1, 1]);
    expect(f.reader.marker()).toBeInstanceOf(Promise); // and nothing is trusted later
  });

  it('with a lease, answers at once from a head read less than the lease ago, refreshing in the background after half of it', async () => {
    const f = fixture(10);
    const first = f.reader.marker();
    await f.answer();
    expect(await first).toBe(0);
    f.advance(4);
    expect(f.reader.marker()).toBe(0); // no query
    expect(f.started).toHaveLength(1);
    f.advance(2); // 6 ms: past half the lease, a fresh query starts, the answer is still at once
    f.commit();
    expect(f.reader.marker()).toBe(0);
    await f.settle();
    expect(f.started).toHaveLength(2);
    await f.answer();
    expect(f.reader.marker()).toBe(1);
    f.advance(10); // the lease ran out: the read waits for a query that starts now
    f.commit();
    const late = f.reader.marker();
    expect(late).toBeInstanceOf(Promise);
    await f.answer();
    expect(await late).toBe(2);
  });

  it("after this process's own commit, trusts no head read by a query that started before it", async () => {
    const f = fixture(10);
    const warm = f.reader.marker();
    await f.answer();
    await warm;
    f.advance(6);
    f.reader.marker(); // starts a background query (before the commit below)
    await f.settle();
    f.advance(1);
    f.commit();
    f.reader.expire();
    f.advance(1);
    const afterCommit = f.reader.marker();
    expect(afterCommit).toBeInstanceOf(Promise);
    await f.answer(); // the query that started before the commit: no lease from it
    await f.settle();
    await f.answer();
    expect(await afterCommit).toBe(1);
    expect(f.reader.marker()).toBe(1); // the query that started after the commit backs a lease
  });

  it('a writer acknowledges no sooner than the lease after its commit', async () => {
    const committedAt = performance.now();
    await commitWait(committedAt, 15);
    expect(performance.now() - committedAt).toBeGreaterThanOrEqual(15);
    const started = performance.now();
    await commitWait(started - 100, 15); // already past: no wait
    expect(performance.now() - started).toBeLessThan(15);
  });
});
