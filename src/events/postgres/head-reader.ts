/**
 * Reads the head of the event log for callers that need it as of *after* they asked: a caller
 * waits for a query that starts after its call, and every caller waiting for the same query
 * shares it (one query in flight at a time). So a read checked against the head it gets sees
 * every commit acknowledged before the read arrived, at one round trip per batch of reads.
 */
export const createHeadReader = (readHead: () => Promise<number>): (() => Promise<number>) => {
  let waiting: { resolve: (head: number) => void; reject: (error: unknown) => void }[] = [];
  let running = false;
  const run = async () => {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        const head = await readHead();
        for (const waiter of batch) waiter.resolve(head);
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    running = false;
  };
  return () =>
    new Promise<number>((resolve, reject) => {
      waiting.push({ resolve, reject });
      if (!running) void run();
    });
};
