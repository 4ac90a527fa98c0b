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
  const delivered = new Set<number>();
  let onReceive: (() => void) | undefined;
  const sockets: (() => void)[] = [];
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = request(`${baseUrl}/api/watch`, { headers: { accept: 'text/event-stream' } }, (res) => {
            res.setEncoding('utf8');
            resolve();
            res.on('data', (chunk: string) => {
              const now = performance.now();
              for (const match of chunk.matchAll(/^id: (\d+)$/gm)) {
                const position = Number(match[1]);
                const times = received.get(position) ?? [];
                times.push(now);
                received.set(position, times);
              }
              onReceive?.();
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
          for (const [position, times] of received) {
            if (!delivered.has(position) && times.length >= count) {
              delivered.add(position);
              onReceive = undefined;
              resolve(times);
              return;
            }
          }
        };
        onReceive = check;
        check();
      }),
    close: () => {
      for (const close of sockets) close();
    },
  };
};
