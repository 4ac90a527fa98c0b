import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChainBreak } from '../verify-hash-chain.js';
import type { SqliteOptions } from './sqlite-dsn.js';

// beside this file in tsc's output, and beside the bundled command line (an entry of its own)
const WORKER_FILE = new URL('./chain-check-worker.js', import.meta.url);

/**
 * Starts checking the hash chain of a SQLite file on a worker thread, with its own read-only
 * connection, while the caller reads the log for something else (the rebuild's fold): SHA-256 over
 * every event's 4 KB is a sixth of a rebuild, and the machine has a second core. The caller holds
 * the write lock, so the worker reads the events the caller reads. Undefined where no worker
 * can run: an in-memory database, or the TypeScript sources (the tests' in-process runs).
 */
export const checkChainAside = (options: SqliteOptions): (() => Promise<ChainBreak | undefined>) | undefined => {
  if (options.path === ':memory:' || !existsSync(fileURLToPath(WORKER_FILE))) return undefined;
  return () =>
    new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_FILE, { workerData: options });
      let answer: { broken?: ChainBreak } | undefined;
      worker.once('message', (message: { broken?: ChainBreak }) => {
        answer = message;
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (answer) resolve(answer.broken);
        else reject(new Error(`the hash chain check's worker stopped (exit code ${code}) without an answer`));
      });
    });
};
