import { performance } from 'node:perf_hooks';
import { readChanges, type FeedChange } from '../projections/change-feed-store.js';
import type { RegistryStore } from './registry-store.js';

const PAGE = 1000;

export interface ChangeHub {
  /**
   * Calls `send` with every change committed after `after`, once each and in order: the backlog
   * first, then what the hub reads. Returns a function that stops following.
   */
  follow(after: number, send: (change: FeedChange) => void): Promise<() => void>;
  close(): void;
  /** Resolves when the hub closes (the server is stopping): long polls answer then with what they have. */
  closed: Promise<void>;
}

/** How often the hub looks for commits of other processes when the database announces none. */
const POLL_MS = 1000;
/** ... and when it does (PostgreSQL's NOTIFY): polling is then only a safety net. */
const SAFETY_POLL_MS = 10_000;

/**
 * One reader of the event log shared by every watcher of a process: it reads what was committed
 * after its position whenever this process commits, as soon as the database announces a commit of
 * another process (PostgreSQL), and every `pollMs` in case an announcement was missed. Positions are given in commit order (one writer at a time), so
 * reading `position > last` never skips a change; each page is read once, whatever the number of
 * watchers.
 */
export const createChangeHub = (
  store: RegistryStore,
  options: {
    pollMs?: number;
    /** After each page of new changes was handed to every watcher: seconds since its read started. */
    onDelivered?: (seconds: number) => void;
  } = {},
): ChangeHub => {
  const subscribers = new Set<(changes: FeedChange[]) => void>();
  let last: number | undefined;
  let reading: Promise<void> | undefined;
  let readAgain = false;

  const readNew = async () => {
    do {
      readAgain = false;
      for (;;) {
        const started = performance.now();
        const page = await readChanges(store.db, last ?? 0, PAGE);
        if (page.length > 0) {
          last = page[page.length - 1].event.position;
          for (const subscriber of subscribers) subscriber(page);
          options.onDelivered?.((performance.now() - started) / 1000);
        }
        if (page.length < PAGE) break;
      }
    } while (readAgain);
  };
  const pull = (): Promise<void> => {
    if (last === undefined || subscribers.size === 0) return Promise.resolve();
    if (reading) {
      readAgain = true;
      return reading;
    }
    reading = readNew().finally(() => {
      reading = undefined;
    });
    return reading;
  };
  const pullQuietly = () => {
    pull().catch(() => undefined);
  };
  const stopListening = store.bus.onCommit(pullQuietly);
  const stopHearing = store.db.onExternalCommit?.(pullQuietly);
  const timer = setInterval(pullQuietly, options.pollMs ?? (stopHearing ? SAFETY_POLL_MS : POLL_MS));
  timer.unref();
  let markClosed = () => {};
  const closed = new Promise<void>((resolve) => (markClosed = resolve));

  return {
    follow: async (after, send) => {
      let sent = after;
      let caughtUp = false;
      const buffered: FeedChange[] = [];
      const emit = (changes: FeedChange[]) => {
        for (const change of changes) {
          if (change.event.position <= sent) continue;
          sent = change.event.position;
          send(change);
        }
      };
      const subscriber = (changes: FeedChange[]) => {
        if (caughtUp) emit(changes);
        else buffered.push(...changes);
      };
      // listen first, then read the backlog: what commits in between is in both and sent once
      subscribers.add(subscriber);
      try {
        if (last === undefined) {
          const head = await store.db.events.lastPosition();
          last ??= head;
        }
        for (;;) {
          const page = await readChanges(store.db, sent, PAGE);
          emit(page);
          if (page.length < PAGE) break;
        }
      } catch (error) {
        subscribers.delete(subscriber);
        throw error;
      }
      caughtUp = true;
      emit(buffered.splice(0));
      return () => {
        subscribers.delete(subscriber);
      };
    },
    close: () => {
      clearInterval(timer);
      stopListening();
      stopHearing?.();
      subscribers.clear();
      markClosed();
    },
    closed,
  };
};

/** Changes after `after` (at most one page), waiting up to `waitMs` for one when there is none yet. */
export const pollChanges = async (
  hub: ChangeHub,
  after: number,
  waitMs: number,
  keep: (change: FeedChange) => boolean,
  /** The client went away: stop waiting. */
  signal?: AbortSignal,
): Promise<{ changes: FeedChange[]; next_after: number }> => {
  const changes: FeedChange[] = [];
  let nextAfter = after;
  let wake = () => {};
  const woken = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const unfollow = await hub.follow(after, (change) => {
    if (changes.length >= PAGE) return;
    nextAfter = change.event.position;
    if (keep(change)) {
      changes.push(change);
      wake();
    }
  });
  if (changes.length === 0 && waitMs > 0 && signal?.aborted !== true) {
    let timer: NodeJS.Timeout | undefined;
    let onAbort = () => {};
    const gone = new Promise<void>((resolve) => (onAbort = resolve));
    signal?.addEventListener('abort', onAbort, { once: true });
    await Promise.race([woken, hub.closed, gone, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  unfollow();
  return { changes, next_after: nextAfter };
};
