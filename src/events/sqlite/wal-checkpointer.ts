import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** SQLite's own default: a checkpoint once the WAL holds about 1,000 pages of 4 KiB. */
export const DEFAULT_CHECKPOINT_AFTER_BYTES = 4 * 1024 * 1024;

/**
 * SQLite reuses the WAL file from its start once a checkpoint let it, without shrinking it: past
 * the threshold its size no longer tells how much is waiting. Checkpoints are then spaced by at
 * least this long, so that a trickle of writes does not get two fsyncs each.
 */
const MIN_CHECKPOINT_INTERVAL_MS = 250;

// The worker is a script given as text (not a file beside this one), so that it runs the same
// from the built output and from the TypeScript sources the tests load.
const WORKER_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
parentPort.on('message', (message) => {
  if (message === 'close') { db.close(); parentPort.close(); return; }
  try { db.pragma('wal_checkpoint(PASSIVE)'); parentPort.postMessage({ ok: true }); }
  catch (error) { parentPort.postMessage({ ok: false, message: String(error && error.message) }); }
});
`;

/**
 * Copies the WAL back into the database file on a worker thread. SQLite would otherwise do it
 * inside a commit, on the event loop, with two fsyncs (WAL, then database file) that stall
 * every request for milliseconds. The writer's own automatic checkpoint is set to a larger WAL
 * while this runs (it then finds most frames copied already); `onFailure` sets it back.
 */
export const createWalCheckpointer = (options: {
  path: string;
  busyTimeoutMs: number;
  afterBytes: number;
  onFailure: (error: Error) => void;
}) => {
  const walPath = `${options.path}-wal`;
  let worker: Worker | undefined;
  let exited = false;
  let running = false;
  let failed = false;
  let lastDoneAt = 0;

  const fail = (error: Error) => {
    if (failed) return;
    failed = true;
    options.onFailure(error);
    void worker?.terminate();
  };

  const start = (): Worker => {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const started = new Worker(WORKER_SCRIPT, {
      eval: true,
      workerData: { driver, path: options.path, busyTimeoutMs: options.busyTimeoutMs },
    });
    started.unref();
    started.on('message', (result: { ok: boolean; message?: string }) => {
      running = false;
      lastDoneAt = Date.now();
      if (!result.ok) fail(new Error(`WAL checkpoint failed: ${result.message}`));
    });
    started.on('error', fail);
    started.on('exit', () => {
      exited = true;
    });
    return started;
  };

  return {
    /** After a commit: asks for a checkpoint once the WAL has grown past the threshold. */
    afterCommit: (): void => {
      if (running || failed || Date.now() - lastDoneAt < MIN_CHECKPOINT_INTERVAL_MS) return;
      let size: number;
      try {
        size = statSync(walPath).size;
      } catch {
        return;
      }
      if (size < options.afterBytes) return;
      worker ??= start();
      running = true;
      worker.postMessage('checkpoint');
    },
    close: async (): Promise<void> => {
      if (!worker || exited) return;
      const stopping = worker;
      worker = undefined;
      // unref'd so that it never keeps a process alive by itself; closing waits for it
      stopping.ref();
      await new Promise<void>((resolve) => {
        stopping.once('exit', () => resolve());
        stopping.postMessage('close');
      });
    },
  };
};
