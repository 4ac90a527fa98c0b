import type pg from 'pg';

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * One dedicated connection that LISTENs for the commits of other instances. It connects when the
 * first subscriber comes, and when its connection is lost it connects again (backing off up to
 * 5 s); each (re)connection tells the subscribers too, since what was announced meanwhile is lost.
 */
export const createCommitListener = (options: {
  connect: () => Promise<{ client: pg.Client; channel: string }>;
  /** Notifications with this payload come from this process and are not passed on. */
  ignorePayload: string;
}) => {
  const subscribers = new Set<() => void>();
  let client: pg.Client | undefined;
  /** The connection being opened or in use: the 'end' of an older one must not start another. */
  let current: pg.Client | undefined;
  let started = false;
  let closed = false;
  let retryMs = RETRY_FIRST_MS;
  let retryTimer: NodeJS.Timeout | undefined;

  const tell = () => {
    for (const subscriber of subscribers) subscriber();
  };
  const retryLater = () => {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void listen();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };
  const listen = async () => {
    let next: pg.Client | undefined;
    try {
      const { client: fresh, channel } = await options.connect();
      next = fresh;
      current = fresh;
      fresh.on('error', () => undefined); // 'end' follows, and starts the retry
      fresh.on('notification', (message) => {
        if (message.payload !== options.ignorePayload) tell();
      });
      fresh.on('end', () => {
        if (client === fresh) client = undefined;
        if (current === fresh) retryLater();
      });
      await fresh.connect();
      await fresh.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
      if (closed) {
        await fresh.end();
        return;
      }
      client = fresh;
      retryMs = RETRY_FIRST_MS;
      tell();
    } catch {
      await next?.end().catch(() => undefined);
      retryLater();
    }
  };

  return {
    subscribe: (subscriber: () => void): (() => void) => {
      subscribers.add(subscriber);
      if (!started) {
        started = true;
        void listen();
      }
      return () => subscribers.delete(subscriber);
    },
    /** Whether the LISTEN connection is up (tests and metrics). */
    listening: () => client !== undefined,
    close: async () => {
      closed = true;
      clearTimeout(retryTimer);
      subscribers.clear();
      await client?.end().catch(() => undefined);
    },
  };
};
