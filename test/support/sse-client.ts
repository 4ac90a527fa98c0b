import { request, type ClientRequest } from 'node:http';
import { recordSeen } from './transcript.js';

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
  receivedAt: number;
}

export interface SseClient {
  messages: SseMessage[];
  comments: string[];
  status: Promise<number>;
  /** Resolves once `count` messages arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  close(): void;
}

/** A small Server-Sent Events reader over node:http (one connection, no automatic reconnect). */
export const openSse = (url: string, headers: Record<string, string> = {}): SseClient => {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const waiters: (() => void)[] = [];
  let req: ClientRequest;
  const status = new Promise<number>((resolve, reject) => {
    req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      resolve(res.statusCode ?? 0);
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message: SseMessage = { data: '', receivedAt: Date.now() };
          let isMessage = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else {
              const at = line.indexOf(':');
              const field = line.slice(0, at);
              const value = line.slice(at + 1).replace(/^ /, '');
              if (field === 'id') message.id = value;
              if (field === 'event') message.event = value;
              if (field === 'data') message.data += value;
              isMessage = true;
            }
          }
          if (isMessage) {
            messages.push(message);
            recordSeen('feed', url, message.data);
          }
          for (const wake of waiters.splice(0)) wake();
        }
      });
    });
    req.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    req.end();
  });
  return {
    messages,
    comments,
    status,
    waitFor: (count, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`got ${messages.length} of ${count} messages`)), timeoutMs);
        const check = () => {
          if (messages.length >= count) {
            clearTimeout(deadline);
            resolve(messages.slice(0, count));
          } else waiters.push(check);
        };
        check();
      }),
    close: () => req.destroy(),
  };
};
