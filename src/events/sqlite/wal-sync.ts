import { closeSync, fsync, openSync } from 'node:fs';

/**
 * fsync of a WAL file on libuv's thread pool, so that the event loop goes on serving requests
 * (and the next write transaction) while the disk works. Callers that ask while an fsync is
 * running wait for the next one, which starts after it: every commit made before a call is on
 * disk when its promise resolves. Concurrent callers share one fsync.
 */
export const createWalSync = (walPath: string) => {
  let fd: number | undefined;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;

  const fsyncOnce = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      // the WAL exists once the first transaction has written; it is never unlinked while we hold a connection
      fd ??= openSync(walPath, 'r');
      fsync(fd, (error) => (error ? reject(error) : resolve()));
    });

  const start = (): Promise<void> => {
    running = fsyncOnce().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    /** Resolves when every commit made before this call is on disk. */
    sync: (): Promise<void> => {
      if (!running) return start();
      next ??= running.then(
        () => {
          next = undefined;
          return start();
        },
        () => {
          next = undefined;
          return start();
        },
      );
      return next;
    },
    close: async (): Promise<void> => {
      await Promise.allSettled([running, next]);
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
};
