// The change feed (GET /api/watch, Server-Sent Events). EventSource cannot send an Authorization
// header, so the stream is read with fetch() and parsed here; it reconnects from the last id.
import { authHeaders } from './api.js';
import type { FeedChange } from './model.js';

export type FeedState = 'connecting' | 'live' | 'offline';

interface Frame {
  id?: string;
  event?: string;
  data: string[];
}

/** Follows the feed until the returned function is called. */
export const followChanges = (onChange: (change: FeedChange) => void, onState: (state: FeedState) => void): (() => void) => {
  const abort = new AbortController();
  let lastId: string | undefined;
  const connect = async (): Promise<void> => {
    onState('connecting');
    const headers: Record<string, string> = { accept: 'text/event-stream', ...authHeaders() };
    if (lastId !== undefined) headers['last-event-id'] = lastId;
    const response = await fetch('/api/watch', { headers, signal: abort.signal, cache: 'no-store' });
    if (!response.ok || response.body === null) throw new Error(`the change feed answered ${response.status}`);
    onState('live');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let frame: Frame = { data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (frame.id !== undefined) lastId = frame.id;
          if (frame.event === 'change' && frame.data.length > 0) onChange(JSON.parse(frame.data.join('\n')) as FeedChange);
          frame = { data: [] };
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') frame.id = text;
          else if (field === 'event') frame.event = text;
          else if (field === 'data') frame.data.push(text);
        }
      }
    }
  };
  void (async () => {
    while (!abort.signal.aborted) {
      try {
        await connect();
      } catch {
        if (abort.signal.aborted) return;
      }
      onState('offline');
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  })();
  return () => abort.abort();
};
