import type { AffectedByPosition } from '../events/change-feed.js';
import type { StoredEvent } from '../events/event-types.js';
import { readChanges, type FeedChange } from './change-feed-store.js';
import type { RegistryStore } from './registry-store.js';

const PAGE = 1000;

/**
 * Calls `send` with every change committed after `after`, once each and in order: first the
 * backlog from the database, then what the bus commits. The bus is listened to before the backlog
 * is read and positions already sent are skipped, so nothing falls between the two.
 * Returns a function that stops following.
 */
export const followChanges = async (
  store: RegistryStore,
  after: number,
  send: (change: FeedChange) => void,
): Promise<() => void> => {
  let last = after;
  let caughtUp = false;
  let stopped = false;
  const buffered: FeedChange[] = [];
  const emit = (changes: FeedChange[]) => {
    for (const change of changes) {
      if (stopped || change.event.position <= last) continue;
      last = change.event.position;
      send(change);
    }
  };
  const stop = store.bus.onCommit((events: StoredEvent[], affected: AffectedByPosition) => {
    const changes = events.map((event) => ({ event, affected: affected.get(event.position) ?? [] }));
    if (caughtUp) emit(changes);
    else buffered.push(...changes);
  });
  try {
    for (;;) {
      const page = await readChanges(store.db, last, PAGE);
      emit(page);
      if (page.length < PAGE || stopped) break;
    }
  } catch (error) {
    stop();
    throw error;
  }
  caughtUp = true;
  emit(buffered.splice(0));
  return () => {
    stopped = true;
    stop();
  };
};

/** Changes after `after` (at most one page), waiting up to `waitMs` for one when there is none yet. */
export const pollChanges = async (
  store: RegistryStore,
  after: number,
  waitMs: number,
  keep: (change: FeedChange) => boolean,
): Promise<{ changes: FeedChange[]; next_after: number }> => {
  const changes: FeedChange[] = [];
  let nextAfter = after;
  let wake = () => {};
  const woken = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const unfollow = await followChanges(store, after, (change) => {
    if (changes.length >= PAGE) return;
    nextAfter = change.event.position;
    if (keep(change)) {
      changes.push(change);
      wake();
    }
  });
  if (changes.length === 0 && waitMs > 0) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }
  unfollow();
  return { changes, next_after: nextAfter };
};
