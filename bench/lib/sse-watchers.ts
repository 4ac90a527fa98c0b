import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Watchers {
  /** Resolves with the receive times of the next position every watcher has got. */
  nextDelivery(): Promise<number[]>;
  close(): void;
}

/**
 * Opens `count` SSE watchers of `${baseUrl}/api/watch` in this process; each notes when it
 * received which position, and a delivery is complete when every watcher has it.
 */
export const openWatchers = async (baseUrl: string, count: number): Promise<Watchers> => {
  const received = new Map<number, number[]>();
  /** Positions every watcher has, in the order they were completed, not yet handed out. */
  const complete: number[] = [];
  let onComplete: (() => void) | undefined;
  const sockets: (() => void)[] = [];
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = request(`${baseUrl}/api/watch`, { headers: { accept: 'text/event-stream' } }, (res) => {
            // a refused watcher (e.g. 429 past the per-client cap) would leave every delivery incomplete
            if (res.statusCode !== 200) return reject(new Error(`GET /api/watch answered ${res.statusCode}`));
            res.setEncoding('utf8');
            resolve();
            res.on('data', (chunk: string) => {
              const now = performance.now();
              for (const match of chunk.matchAll(/^id: (\d+)$/gm)) {
                const position = Number(match[1]);
                const times = received.get(position) ?? [];
                times.push(now);
                received.set(position, times);
                if (times.length === count) complete.push(position);
              }
              if (complete.length > 0) onComplete?.();
            });
          });
          req.on('error', reject);
          req.end();
          sockets.push(() => req.destroy());
        }),
    ),
  );
  return {
    nextDelivery: () =>
      new Promise<number[]>((resolve) => {
        const check = () => {
          const position = complete.shift();
          if (position === undefined) return;
          onComplete = undefined;
          const times = received.get(position) as number[];
          received.delete(position);
          resolve(times);
        };
        onComplete = check;
        check();
      }),
    close: () => {
      for (const close of sockets) close();
    },
  };
};
