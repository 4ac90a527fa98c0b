// The hash chain checked on a worker thread (see checkChainAside): its own read-only connection
// to the file, the same check as `verify`'s. Started by file, so it exists only in the built output.
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './open-sqlite.js';
import type { SqliteOptions } from './sqlite-dsn.js';
import { verifyHashChain } from '../verify-hash-chain.js';
import { readInMappedWindows } from '../sql/read-in-mapped-windows.js';

const db = openSqlite(workerData as SqliteOptions, { readonly: true });
try {
  // one read transaction: the events as of one moment
  const report = await db.transaction(async (tx) => {
    const mapped = readInMappedWindows(tx);
    try {
      return await verifyHashChain(tx, { onEvents: (count) => mapped.read(count) });
    } finally {
      await mapped.end();
    }
  });
  parentPort?.postMessage({ broken: report.broken });
} finally {
  await db.close();
}
