import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { REPLACED_CONTENT } from '../events/event-store.js';
import type { ProfileState, RegistryState } from '../events/registry-state.js';
import type { SqliteOptions } from '../events/sqlite/sqlite-dsn.js';
import type { FingerprintKey } from '../domain/fingerprint.js';
import type { FoldedStream } from './end-of-fold.js';
import type { RegistryRowValues } from './project-registry.js';

// beside this file in tsc's output, and beside the bundled command line (an entry of its own)
const WORKER_FILE = new URL('./registry-rows-worker.js', import.meta.url);

/**
 * The share of the registries' profiles whose rows the worker computes: the transaction's thread
 * computes the rest and writes every row, and both threads end about together (measured at
 * 1,000,000 events: with 0.6 the transaction's thread took 0.1-0.2 s of CPU longer).
 */
const WORKER_SHARE = 0.65;

/**
 * The smallest log whose rebuild hands rows to the worker. The worker costs its start, its own
 * heap's collections and the copies between threads (for 10,000 profiles: ~30 MB of rows back, and
 * the folded states sent: ~1.8 MB where the fold left the contents unread, ~40 MB where it read
 * them): at 30,000 and 100,000 events (10,000 profiles) the CLI's rebuild took 0.7-2 s more CPU with
 * it and no less wall; at 1,000,000, where reading the last contents back is most of the tail, 5-8 %
 * less wall (docs/BENCHMARKS.md, round ten, all merged; round eleven, rebuild13).
 */
export const ROWS_ASIDE_FROM_EVENTS = 500_000;

/** A FoldedStream as it crosses to the worker: native maps, and null for the content left unread. */
export interface PortableFold extends Omit<FoldedStream, 'state'> {
  state?: Omit<RegistryState, 'profiles'> & { profiles: Map<string, Omit<ProfileState, 'content'> & { content: ProfileState['content'] | null }> };
}

/** What the worker is sent at the end of the fold (its workerData: the file's SqliteOptions): every stream as folded, the registries it computes, and a digest that proves it reads the same key. */
export interface RegistryRowsWork {
  folded: [string, PortableFold][];
  streamIds: string[];
  keyProbe: string;
}

/** What the worker sends: each registry's rows as they are done. */
export interface RegistryRowsMessage {
  streamId: string;
  rows: RegistryRowValues | undefined;
}

export const KEY_PROBE_TEXT = 'registry rows aside';

const portable = ({ state, ...stream }: FoldedStream): PortableFold => ({
  ...stream,
  state: state && {
    ...state,
    profiles: new Map([...state.profiles].map(([slug, profile]) => [slug, profile.content === REPLACED_CONTENT ? { ...profile, content: null } : profile])),
    tombstones: new Map(state.tombstones),
  },
});

/** A PortableFold as the fold left it (content left unread as REPLACED_CONTENT again). */
export const foldedStreamOf = ({ state, ...stream }: PortableFold): FoldedStream => ({
  ...stream,
  state: state && {
    ...state,
    profiles: new Map([...state.profiles].map(([slug, profile]) => [slug, { ...profile, content: profile.content ?? REPLACED_CONTENT }])),
  },
});

/** The registries the worker takes: in their order, until it has about WORKER_SHARE of the profiles. */
const workerShare = (folded: ReadonlyMap<string, FoldedStream>): Set<string> => {
  const size = (stream: FoldedStream) => (stream.state?.profiles.size ?? 0) + (stream.state?.tombstones.size ?? 0) + 1;
  const total = [...folded.values()].reduce((sum, stream) => sum + size(stream), 0);
  const taken = new Set<string>();
  let share = 0;
  for (const [streamId, stream] of folded) {
    if (share + size(stream) / 2 > total * WORKER_SHARE) continue;
    taken.add(streamId);
    share += size(stream);
  }
  return taken;
};

/** The rows of a share of the registries computed on a worker thread (see startRegistryRowsAside). */
export interface RegistryRowsAside {
  /**
   * Hands the worker the streams as folded: it takes about WORKER_SHARE of the registries, named in
   * `taken`. `next` gives the rows of the next one it takes, in its order, when the worker is done
   * with it (`ready`: already done), or from `fallback` on the caller's thread if the worker failed
   * (said once to `onFailed`); undefined once none is left.
   */
  share(
    folded: ReadonlyMap<string, FoldedStream>,
    key: FingerprintKey,
    fallback: (streamId: string) => Promise<RegistryRowValues | undefined>,
    onFailed?: (error: unknown) => void,
  ): { taken: ReadonlySet<string>; ready(): boolean; next(): Promise<RegistryRowValues | undefined> | undefined };
  /** Ends the worker (when the caller stops waiting for it: a failure, or its last registry taken). */
  stop(): Promise<void>;
}

/**
 * Starts a worker thread that will compute the rows of about WORKER_SHARE of the registries at
 * the end of a rebuild's fold (their last contents read back, fingerprints, documents, ETags: pure
 * CPU and reads) with its own read-only connection, while the caller computes the others; the
 * caller writes all of them in its transaction (whose lock keeps the events the same). Started
 * before the fold, so that it has loaded its code by the end. Undefined where no worker can run
 * (the TypeScript sources: the tests' in-process runs).
 */
export const startRegistryRowsAside = (options: SqliteOptions): RegistryRowsAside | undefined => {
  if (!existsSync(fileURLToPath(WORKER_FILE))) return undefined;
  const arrived = new Map<string, RegistryRowValues | undefined>();
  const waiting = new Map<string, (rows: RegistryRowValues | undefined) => void>();
  const worker = new Worker(WORKER_FILE, { workerData: options });
  const ended = new Promise<never>((_resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the registry rows' worker stopped (exit code ${code}) before its last registry`)));
  });
  ended.catch(() => undefined); // awaited by rowsOf
  worker.on('message', ({ streamId, rows }: RegistryRowsMessage) => {
    const resolve = waiting.get(streamId);
    if (resolve) resolve(rows);
    else arrived.set(streamId, rows);
  });
  return {
    share: (folded, key, fallback, onFailed) => {
      const taken = workerShare(folded);
      worker.postMessage({
        folded: [...folded].map(([streamId, stream]) => [streamId, portable(stream)]),
        streamIds: [...taken],
        keyProbe: key.digest(KEY_PROBE_TEXT),
      } satisfies RegistryRowsWork);
      let failed = false;
      const fellBack = (streamId: string, error: unknown) => {
        if (!failed) onFailed?.(error);
        failed = true;
        return fallback(streamId);
      };
      const order = [...taken];
      const rowsOf = (streamId: string): Promise<RegistryRowValues | undefined> => {
        if (arrived.has(streamId)) {
          const rows = arrived.get(streamId);
          arrived.delete(streamId);
          return Promise.resolve(rows);
        }
        return Promise.race([new Promise<RegistryRowValues | undefined>((resolve) => waiting.set(streamId, resolve)), ended]);
      };
      return {
        taken,
        ready: () => order.length > 0 && arrived.has(order[0]),
        next: () => {
          const streamId = order.shift();
          return streamId === undefined ? undefined : rowsOf(streamId).catch((error: unknown) => fellBack(streamId, error));
        },
      };
    },
    stop: async () => {
      await worker.terminate();
    },
  };
};
