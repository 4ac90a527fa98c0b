import { performance } from 'node:perf_hooks';

export interface HeadReader {
  /**
   * The head of the event log as of a moment after every commit acknowledged before this call:
   * from a query that starts after the call (calls that wait together share one), or, within a
   * read lease, the head read by a query that started less than `leaseMs` ago and after this
   * process's last commit (see `createHeadReader`).
   */
  marker(): number | Promise<number>;
  /** Forgets the lease (this process committed): the next marker waits for a query that starts later. */
  expire(): void;
}

/**
 * Reads the head of the event log for callers that need it as of *after* they asked: a caller
 * waits for a query that starts after its call, and every caller waiting for the same query
 * shares it (one query in flight at a time). So a read checked against the head it gets sees
 * every commit acknowledged before the read arrived, at one round trip per batch of reads.
 *
 * With `leaseMs` > 0, a head whose query started less than `leaseMs` ago is answered at once,
 * without a round trip (and a fresh query starts in the background once half the lease is
 * gone). That is safe only because every writer waits `leaseMs` after its commit before
 * acknowledging it (`commitWait`): a read that arrives after the acknowledgment arrives at least
 * `leaseMs` after the commit, so a head it may use was read by a query that started after the
 * commit. Monotonic clocks of different machines measure the same durations, no clock sync needed.
 */
export const createHeadReader = (
  readHead: () => Promise<number>,
  options: { leaseMs?: number; now?: () => number } = {},
): HeadReader => {
  const leaseMs = options.leaseMs ?? 0;
  const now = options.now ?? (() => performance.now());
  let waiting: { resolve: (head: number) => void; reject: (error: unknown) => void }[] = [];
  let running = false;
  /** The head read by the latest query that may back a lease, and when that query started. */
  let leased: { head: number; startedAt: number } | undefined;
  let expiredAt = Number.NEGATIVE_INFINITY;

  const run = async () => {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      const startedAt = now();
      try {
        const head = await readHead();
        // a query that started before this process's last commit may not have seen it
        if (startedAt > expiredAt && startedAt > (leased?.startedAt ?? Number.NEGATIVE_INFINITY)) leased = { head, startedAt };
        for (const waiter of batch) waiter.resolve(head);
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    running = false;
  };
  const query = () =>
    new Promise<number>((resolve, reject) => {
      waiting.push({ resolve, reject });
      if (!running) void run();
    });
  const refreshing = { resolve: () => {}, reject: () => {} };
  const refresh = () => {
    if (waiting.includes(refreshing)) return;
    waiting.push(refreshing);
    if (!running) void run();
  };

  return {
    marker: () => {
      if (leased !== undefined && leased.startedAt > expiredAt) {
        const age = now() - leased.startedAt;
        if (age < leaseMs) {
          if (age >= leaseMs / 2) refresh();
          return leased.head;
        }
      }
      return query();
    },
    expire: () => {
      expiredAt = now();
    },
  };
};

/**
 * What a writer does after its commit when readers hold leases of `leaseMs`: waits until that
 * long has passed since `committedAt` (measured after the commit returned) before acknowledging.
 */
export const commitWait = async (committedAt: number, leaseMs: number, now: () => number = () => performance.now()): Promise<void> => {
  for (let left = leaseMs - (now() - committedAt); left > 0; left = leaseMs - (now() - committedAt)) {
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(left)));
  }
};
