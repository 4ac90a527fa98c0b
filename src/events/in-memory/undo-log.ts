/**
 * How in-memory stores take writes back: each write inside a savepoint records how to undo
 * itself, and a savepoint that throws undoes, newest first, what was recorded since it began.
 * Stores that share one undo log roll back together (an event log and its projections).
 */
export interface UndoLog {
  /** Records how to take back a write just made (nothing to record outside a savepoint). */
  record(undo: () => void): void;
  /** Sets `map[key]`, undoably. */
  set<K, V>(map: Map<K, V>, key: K, value: V): void;
  /** Deletes `map[key]`, undoably. */
  delete<K, V>(map: Map<K, V>, key: K): void;
  /** Runs `fn`; a throw undoes what it wrote and is re-thrown. Nests. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
}

export const createUndoLog = (): UndoLog => {
  const undos: (() => void)[] = [];
  let depth = 0;
  const record = (undo: () => void) => {
    if (depth > 0) undos.push(undo);
  };
  const restore = <K, V>(map: Map<K, V>, key: K) => {
    const had = map.has(key);
    const previous = map.get(key) as V;
    record(() => (had ? map.set(key, previous) : map.delete(key)));
  };
  return {
    record,
    set: (map, key, value) => {
      restore(map, key);
      map.set(key, value);
    },
    delete: (map, key) => {
      restore(map, key);
      map.delete(key);
    },
    savepoint: async (fn) => {
      const mark = undos.length;
      depth += 1;
      try {
        return await fn();
      } catch (error) {
        for (const undo of undos.splice(mark).reverse()) undo();
        throw error;
      } finally {
        depth -= 1;
        if (depth === 0) undos.length = 0;
      }
    },
  };
};
