/**
 * Group commit: items that arrive together are handed to `runBatch` as one batch (at most
 * `maxBatch`), one batch at a time. `runBatch` calls `writerFree` once the next batch may start
 * (its commit is done) and resolves once the batch is durable, so the next batch runs while the
 * disk syncs.
 */
export interface GroupCommit<Item> {
  push(item: Item): void;
  /** Resolves once every pushed item's batch is durable. */
  drained(): Promise<void>;
}

export const createGroupCommit = <Item>(
  runBatch: (batch: Item[], writerFree: () => void) => Promise<void>,
  maxBatch: number,
): GroupCommit<Item> => {
  let queue: Item[] = [];
  let flushing: Promise<void> | undefined;
  const syncing = new Set<Promise<void>>();

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      let writerFree!: () => void;
      const committed = new Promise<void>((resolve) => {
        writerFree = resolve;
      });
      const flushed = runBatch(batch, writerFree);
      syncing.add(flushed);
      void flushed.finally(() => syncing.delete(flushed));
      await committed;
    }
    flushing = undefined;
  };

  return {
    push: (item) => {
      queue.push(item);
      if (!flushing) flushing = new Promise<void>((done) => setImmediate(done)).then(drain);
    },
    drained: async () => {
      await flushing;
      await Promise.all(syncing);
    },
  };
};
