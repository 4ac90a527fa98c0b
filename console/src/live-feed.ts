// The change feed, read with the typed client's watch(): it reconnects (Last-Event-ID) after a
// lost connection or a server restart and delivers each change once.
import { useRef } from 'preact/hooks';
import { api } from './client.js';
import type { FeedChange } from './model.js';

export type FeedState = 'connecting' | 'live' | 'offline';

/** Follows the feed until the returned function is called. */
export const followChanges = (onChange: (change: FeedChange) => void, onState: (state: FeedState) => void): (() => void) => {
  const abort = new AbortController();
  let last: number | undefined;
  onState('connecting');
  void (async () => {
    while (!abort.signal.aborted) {
      try {
        const changes = api.watch({ from: last, signal: abort.signal, maxDelayMs: 2000, onState: (state) => onState(state === 'live' ? 'live' : 'offline') });
        for await (const change of changes) {
          last = change.position;
          onChange(change);
        }
      } catch {
        // a refusal (an expired token, say): told as offline, and tried again a little later
        if (abort.signal.aborted) return;
        onState('offline');
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  })();
  return () => abort.abort();
};

/**
 * Whether a change concerns a registry: made there, or made elsewhere and moving its profiles, as
 * when one is stacked on another registry's base (the frame's `affected` names it).
 */
export const concerns = (change: FeedChange, registry: string): boolean =>
  change.registry === registry || change.affected.some((each) => each.registry === registry);

/** The position of the last change that concerned a page: it moves only when another one does (an input of useLoad). */
export const useLastPosition = (position: number | undefined): number | undefined => {
  const last = useRef<number | undefined>(undefined);
  if (position !== undefined) last.current = position;
  return last.current;
};
