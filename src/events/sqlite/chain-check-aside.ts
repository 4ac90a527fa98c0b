import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { checkSegmentsTaken, joinSegmentsTaken, type ChainCheckAside, type ChainSegment } from '../chain-segments.js';
import type { StreamSummary } from '../event-store.js';
import type { SqliteOptions } from './sqlite-dsn.js';

// beside this file in tsc's output, and beside the bundled command line (an entry of its own)
const WORKER_FILE = new URL('./chain-check-worker.js', import.meta.url);

/**
 * Segments the log is cut into, taken one at a time by whichever thread is free: the worker, and
 * the caller's thread once its own work is done (`help`); neither waits long for the other at the end.
 */
const SEGMENTS = 32;

/** What the chain check's worker is given: its database, and the counter of segments taken, shared with the caller's thread. */
export interface ChainCheckWork {
  options: SqliteOptions;
  taken: Int32Array;
  segments: number;
}

/** What the worker answers: the segments it checked, by number, and the stream heads for the join. */
export interface ChainCheckAnswer {
  segments: [number, ChainSegment][];
  lastPosition: number;
  streams: StreamSummary[];
}

/**
 * Starts checking the hash chain of a SQLite file on a worker thread, with its own read-only
 * connection, while the caller reads the log for something else (the rebuild's fold): reading and
 * hashing every event's 4 KB is more than half of a rebuild's work, and the machine has a second
 * core. The log is cut into segments by position (checkSegment), taken by the worker and, once the
 * caller's thread is free, by the caller too (`help`); they are joined in order at the end
 * (joinChainSegments). The caller holds the write lock, so both read the same events. Undefined
 * where no worker can run: an in-memory database, or the TypeScript sources (the tests' in-process runs).
 */
export const checkChainAside = (options: SqliteOptions): (() => ChainCheckAside) | undefined => {
  if (options.path === ':memory:' || !existsSync(fileURLToPath(WORKER_FILE))) return undefined;
  return () => {
    const taken = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const worker = runWorker({ options, taken, segments: SEGMENTS });
    worker.catch(() => undefined); // awaited by the verdict
    let helped: Promise<[number, ChainSegment][]> = Promise.resolve([]);
    return {
      help: async (executor) => {
        helped = checkSegmentsTaken(executor, taken, SEGMENTS);
        await helped;
      },
      verdict: async () => {
        const answer = await worker;
        const checked = [...answer.segments, ...(await helped.catch(() => []))];
        return joinSegmentsTaken(checked, SEGMENTS, answer.lastPosition, answer.streams);
      },
    };
  };
};

const runWorker = (work: ChainCheckWork): Promise<ChainCheckAnswer> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_FILE, { workerData: work });
    let answer: ChainCheckAnswer | undefined;
    worker.once('message', (message: ChainCheckAnswer) => {
      answer = message;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (answer) resolve(answer);
      else reject(new Error(`the hash chain check's worker stopped (exit code ${code}) without an answer`));
    });
  });
