// The rows of a share of the registries at the end of a rebuild's fold, computed on a worker
// thread (see startRegistryRowsAside): its own read-only connection to the file, the work sent
// once the fold is done. Started by file, so it exists only in the built output.
import { once } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from '../events/sqlite/open-sqlite.js';
import type { SqliteOptions } from '../events/sqlite/sqlite-dsn.js';
import { finalRows } from './end-of-fold.js';
import { readFingerprintKey } from './fingerprint-key-store.js';
import { foldedStreamOf, KEY_PROBE_TEXT, type RegistryRowsMessage, type RegistryRowsWork } from './registry-rows-aside.js';

const port = parentPort;
if (port) {
  const [work] = (await once(port, 'message')) as [RegistryRowsWork];
  const db = openSqlite(workerData as SqliteOptions, { readonly: true });
  try {
    // one read transaction: the events as the caller's transaction sees them (it holds the write lock)
    await db.transaction(async (tx) => {
      const key = await readFingerprintKey(tx);
      if (key.digest(KEY_PROBE_TEXT) !== work.keyProbe) throw new Error("the registry rows' worker reads another fingerprint key");
      const rowsOf = finalRows(tx, key, new Map(work.folded.map(([streamId, stream]) => [streamId, foldedStreamOf(stream)])));
      for (const streamId of work.streamIds) port.postMessage({ streamId, rows: await rowsOf(streamId) } satisfies RegistryRowsMessage);
    });
  } finally {
    await db.close();
  }
}
