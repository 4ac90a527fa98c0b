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
// 'truncate' waits for no lock (busy_timeout 0): it holds the writers' lock while it copies, and
// waiting there for a long reader (a `verify`) would hold every write back; it is tried again later.
const WORKER_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
parentPort.on('message', (message) => {
  if (message === 'close') { db.close(); parentPort.close(); return; }
  try {
    if (message === 'truncate') {
      db.pragma('busy_timeout = 0');
      const [result] = db.pragma('wal_checkpoint(TRUNCATE)');
      db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
      parentPort.postMessage({ ok: true, kind: message, complete: result.busy === 0 });
    } else {
      db.pragma('wal_checkpoint(PASSIVE)');
      parentPort.postMessage({ ok: true, kind: message });
    }
  }
  catch (error) { parentPort.postMessage({ ok: false, kind: message, message: String(error && error.message) }); }
});
`;

/**
 * How long after the last commit of a burst the WAL is copied into the database file and emptied
 * (wal_checkpoint(TRUNCATE)): from then on, until the next write, the database file alone is the
 * whole database (a `cp` of it is complete).
 */
export const DEFAULT_IDLE_CHECKPOINT_MS = 500;

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
  idleMs?: number;
  onFailure: (error: Error) => void;
}) => {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_CHECKPOINT_MS;
  let idleTimer: NodeJS.Timeout | undefined;
  let lastCommitAt = 0;
  /** A TRUNCATE is owed: set by every commit, cleared by a complete one. */
  let dirty = false;
  let closing = false;
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
    started.on('message', (result: { ok: boolean; kind: string; complete?: boolean; message?: string }) => {
      running = false;
      lastDoneAt = Date.now();
      if (!result.ok) fail(new Error(`WAL checkpoint failed: ${result.message}`));
      else if (result.kind === 'truncate' && result.complete) dirty = false;
      // a commit during the checkpoint, or a lock that stopped it, asks for another later
      if (dirty) scheduleIdle();
    });
    started.on('error', fail);
    started.on('exit', () => {
      exited = true;
    });
    return started;
  };

  const truncateWhenIdle = () => {
    idleTimer = undefined;
    if (failed || closing || !dirty) return;
    // commits since the timer was set push the TRUNCATE back: the timer waits out the rest
    const quietFor = Date.now() - lastCommitAt;
    if (quietFor < idleMs) return armIdle(idleMs - quietFor);
    if (running) return; // its answer schedules the next try
    worker ??= start();
    running = true;
    worker.postMessage('truncate');
  };
  function armIdle(ms: number) {
    idleTimer = setTimeout(truncateWhenIdle, ms);
    idleTimer.unref();
  }
  // one timer at a time, not one per commit: a commit only notes its time
  function scheduleIdle() {
    if (failed || closing || idleTimer) return;
    armIdle(idleMs);
  }

  return {
    /** After a commit: asks for a checkpoint once the WAL has grown past the threshold, and for an emptied WAL once writes pause. */
    afterCommit: (): void => {
      dirty = true;
      lastCommitAt = Date.now();
      scheduleIdle();
      if (running || failed || lastCommitAt - lastDoneAt < MIN_CHECKPOINT_INTERVAL_MS) return;
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
      closing = true;
      if (idleTimer) clearTimeout(idleTimer);
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
