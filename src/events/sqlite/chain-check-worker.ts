// The hash chain checked on a worker thread (see checkChainAside): its own read-only connection
// to the file, segments of the log taken one at a time until none is left. Started by file, so it
// exists only in the built output.
import { parentPort, workerData } from 'node:worker_threads';
import { checkSegmentsTaken, type ChainSegment } from '../chain-segments.js';
import { foldEventsBuffers } from '../segment-fold-events.js';
import { readInMappedWindows } from '../sql/read-in-mapped-windows.js';
import type { ChainCheckMessage, ChainCheckWork } from './chain-check-aside.js';
import { openSqlite } from './open-sqlite.js';

const work = workerData as ChainCheckWork;
const db = openSqlite(work.options, { readonly: true });
try {
  // one read transaction: the events as of one moment
  const answer = await db.transaction(async (tx): Promise<ChainCheckMessage> => {
    const mapped = readInMappedWindows(tx);
    try {
      // each segment as it is done: the fold waits for them in order
      const post = (index: number, segment: ChainSegment) =>
        parentPort?.postMessage({ index, segment } satisfies ChainCheckMessage, segment.fold ? foldEventsBuffers(segment.fold) : []);
      await checkSegmentsTaken(tx, work.taken, work.segments, post, (count) => mapped.read(count));
      return { lastPosition: await tx.events.lastPosition(), streams: await tx.events.listStreams() };
    } finally {
      await mapped.end();
    }
  });
  parentPort?.postMessage(answer);
} finally {
  await db.close();
}
