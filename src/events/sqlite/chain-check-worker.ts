// The hash chain checked on a worker thread (see checkChainAside): its own read-only connection
// to the file, segments of the log taken one at a time until none is left. Started by file, so it
// exists only in the built output.
import { parentPort, workerData } from 'node:worker_threads';
import { checkSegmentsTaken } from '../chain-segments.js';
import { readInMappedWindows } from '../sql/read-in-mapped-windows.js';
import type { ChainCheckAnswer, ChainCheckWork } from './chain-check-aside.js';
import { openSqlite } from './open-sqlite.js';

const work = workerData as ChainCheckWork;
const db = openSqlite(work.options, { readonly: true });
try {
  // one read transaction: the events as of one moment
  const answer = await db.transaction(async (tx): Promise<ChainCheckAnswer> => {
    const mapped = readInMappedWindows(tx);
    try {
      const segments = await checkSegmentsTaken(tx, work.taken, work.segments, (count) => mapped.read(count));
      return { segments, lastPosition: await tx.events.lastPosition(), streams: await tx.events.listStreams() };
    } finally {
      await mapped.end();
    }
  });
  parentPort?.postMessage(answer);
} finally {
  await db.close();
}
