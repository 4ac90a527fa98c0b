import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WATCHER_PROCESS = fileURLToPath(new URL('./sse-watcher-process.js', import.meta.url));

export interface Watchers {
  /** Resolves with the receive times (epoch ms, see epoch-clock.ts) of the next position every watcher has got. */
  nextDelivery(): Promise<number[]>;
  close(): void;
}

type ChildMessage = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'delivered'; position: number; times: number[] };

/**
 * Opens `count` SSE watchers of `${baseUrl}/api/watch`, spread over `processes` child processes
 * (sse-watcher-process.ts) so that reading the deliveries is not one process's work: each child
 * notes when its watchers received which position, and a delivery is complete when every child
 * has reported it.
 */
export const openWatchers = async (baseUrl: string, count: number, processes = 4): Promise<Watchers> => {
  const parts = Math.min(processes, count);
  const shares = Array.from({ length: parts }, (_, index) => Math.floor(count / parts) + (index < count % parts ? 1 : 0));
  const received = new Map<number, { times: number[]; children: number }>();
  /** Positions every watcher has, in the order they were completed, not yet handed out. */
  const complete: number[][] = [];
  let onComplete: (() => void) | undefined;
  const children: ChildProcess[] = [];
  const close = () => {
    for (const child of children) if (child.connected) child.send({ type: 'close' });
  };
  try {
    await Promise.all(
      shares.map(
        (share) =>
          new Promise<void>((resolve, reject) => {
            const child = fork(WATCHER_PROCESS, [baseUrl, String(share)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
            children.push(child);
            child.on('exit', (code) => reject(new Error(`watcher process exited with code ${code}`)));
            child.on('message', (message: ChildMessage) => {
              if (message.type === 'ready') resolve();
              if (message.type === 'failed') reject(new Error(message.message));
              if (message.type !== 'delivered') return;
              const entry = received.get(message.position) ?? { times: [], children: 0 };
              entry.times.push(...message.times);
              entry.children += 1;
              received.set(message.position, entry);
              if (entry.children < shares.length) return;
              received.delete(message.position);
              complete.push(entry.times);
              onComplete?.();
            });
          }),
      ),
    );
  } catch (error) {
    close();
    throw error;
  }
  return {
    nextDelivery: () =>
      new Promise<number[]>((resolve) => {
        const check = () => {
          const times = complete.shift();
          if (times === undefined) return;
          onComplete = undefined;
          resolve(times);
        };
        onComplete = check;
        check();
      }),
    close,
  };
};
