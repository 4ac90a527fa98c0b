import { isTransient, ProblemError } from './errors.js';
import { readEventStream } from './event-stream.js';
import type { Transport } from './transport.js';
import type { Change, ChangesPage } from './types.js';

export interface WatchOptions {
  /** Only changes of this registry (and of profiles elsewhere whose stacks reach into it). */
  registry?: string;
  /** Deliver the changes after this position (a change's `position`); absent: from now on. */
  from?: number;
  signal?: AbortSignal;
  /** First wait before a reconnect, doubled each failed attempt up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Told when the feed connects, and when it lost the server and waits to reconnect. */
  onState?: (state: 'live' | 'reconnecting', error?: unknown) => void;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Retries `attempt` while it fails transiently (server away, 5xx), with backoff; other errors and aborts end it. */
export const withBackoff = async <T>(
  attempt: () => Promise<T>,
  options: Pick<WatchOptions, 'signal' | 'minDelayMs' | 'maxDelayMs' | 'onState'>,
): Promise<T> => {
  let delay = options.minDelayMs ?? 100;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (options.signal?.aborted || !isTransient(error)) throw error;
      options.onState?.('reconnecting', error);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw error;
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
    }
  }
};

/** The feed's head position now (what `from: undefined` starts after). */
export const headPosition = async (transport: Transport, registry: string | undefined, signal?: AbortSignal): Promise<number> =>
  (await transport.json<ChangesPage>('/api/watch', { query: { registry }, signal })).next_after;

/**
 * The change feed as an async iterator: each change once, in position order. When the server goes
 * away (a restart, a network cut) it reconnects with `Last-Event-ID` after a backoff and goes on
 * from the last change it delivered. Ends when `signal` aborts or the loop breaks; throws when the
 * server refuses the watch (4xx other than 429).
 */
export async function* watchChanges(transport: Transport, options: WatchOptions = {}): AsyncGenerator<Change, void, undefined> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop();
  const settings = { ...options, signal: abort.signal };
  try {
    let last = options.from ?? (await withBackoff(() => headPosition(transport, options.registry, abort.signal), settings));
    let delay = options.minDelayMs ?? 100;
    while (!abort.signal.aborted) {
      let lost: unknown;
      try {
        const response = await transport.raw('/api/watch', {
          query: { registry: options.registry, after: last },
          headers: { accept: 'text/event-stream', 'last-event-id': String(last) },
          signal: abort.signal,
        });
        if (response.body === null) throw new ProblemError(response.status, { detail: 'the change feed answered without a body' });
        options.onState?.('live');
        delay = options.minDelayMs ?? 100;
        for await (const message of readEventStream(response.body)) {
          if (message.event !== 'change') continue;
          const change = JSON.parse(message.data) as Change;
          if (change.position <= last) continue;
          last = change.position;
          yield change;
        }
      } catch (error) {
        if (abort.signal.aborted) return;
        // a refusal ends the watch; a lost connection (before or while streaming) is retried
        if (error instanceof ProblemError && !isTransient(error)) throw error;
        lost = error;
      }
      if (abort.signal.aborted) return;
      options.onState?.('reconnecting', lost);
      await sleep(delay, abort.signal);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    stop();
  }
}
