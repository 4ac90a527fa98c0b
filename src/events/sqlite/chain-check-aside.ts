import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { foldEventsInOrder, joinSegmentsTaken, type ChainCheckAside, type ChainSegment } from '../chain-segments.js';
import type { StreamSummary } from '../event-store.js';
import type { SqliteOptions } from './sqlite-dsn.js';

// beside this file in tsc's output, and beside the bundled command line (an entry of its own)
const WORKER_FILE = new URL('./chain-check-worker.js', import.meta.url);

/**
 * Segments the log is cut into, taken one at a time by whichever thread is free: the worker, and
 * the caller's thread while its fold waits; neither waits long for the other at the end.
 */
const SEGMENTS = 32;

/** What the chain check's worker is given: its database, and the counter of segments taken, shared with the caller's thread. */
export interface ChainCheckWork {
  options: SqliteOptions;
  taken: Int32Array;
  segments: number;
}

/** What the worker sends: each segment it checked, by number, as it is done; at the end, the stream heads for the join. */
export type ChainCheckMessage = { index: number; segment: ChainSegment } | { lastPosition: number; streams: StreamSummary[] };

/**
 * Starts checking the hash chain of a SQLite file on a worker thread, with its own read-only
 * connection, while the caller folds the log (the rebuild): reading and hashing every event's
 * 4 KB is most of a rebuild's work, and the machine has a second core. The log is cut into
 * segments by position (checkSegment), taken by the worker and by the caller's thread while it
 * waits for the next one its fold needs (foldEventsInOrder); each segment's events are gathered
 * for the fold by the thread that checked it, and the segments are joined in order at the end
 * (joinChainSegments). The caller holds the write lock, so both read the same events. Undefined
 * where no worker can run: an in-memory database, or the TypeScript sources (the tests' in-process runs).
 */
export const checkChainAside = (options: SqliteOptions): (() => ChainCheckAside) | undefined => {
  if (options.path === ':memory:' || !existsSync(fileURLToPath(WORKER_FILE))) return undefined;
  return () => {
    const taken = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const checked = new Map<number, ChainSegment>();
    let arrived = () => undefined as void;
    const worker = runWorker({ options, taken, segments: SEGMENTS }, (index, segment) => {
      checked.set(index, segment);
      arrived();
    });
    worker.catch(() => undefined); // awaited by the verdict
    // the worker's next segment, or its end (an end without the segment awaited: nothing more comes)
    const arrival = () =>
      Promise.race([
        new Promise<void>((resolve) => {
          arrived = resolve;
        }),
        worker.then(() => {
          throw new Error('the hash chain check left a segment of the log unchecked');
        }),
      ]);
    return {
      foldEvents: (executor, fold) => foldEventsInOrder(executor, { taken, segments: SEGMENTS, checked, arrival }, fold),
      verdict: async () => {
        const { lastPosition, streams } = await worker;
        return joinSegmentsTaken(checked, SEGMENTS, lastPosition, streams);
      },
    };
  };
};

const runWorker = (work: ChainCheckWork, onChecked: (index: number, segment: ChainSegment) => void): Promise<{ lastPosition: number; streams: StreamSummary[] }> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_FILE, { workerData: work });
    let answer: { lastPosition: number; streams: StreamSummary[] } | undefined;
    worker.on('message', (message: ChainCheckMessage) => {
      if ('segment' in message) onChecked(message.index, message.segment);
      else answer = message;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (answer) resolve(answer);
      else reject(new Error(`the hash chain check's worker stopped (exit code ${code}) without an answer`));
    });
  });
