import { headPosition, watchChanges, withBackoff, type WatchOptions } from './watch.js';
import type { Transport } from './transport.js';
import type { Change, Resolved } from './types.js';

export interface FollowOptions extends Pick<WatchOptions, 'signal' | 'minDelayMs' | 'maxDelayMs' | 'onState'> {
  /** The registry to resolve in (the server's default registry when absent). */
  registry?: string;
  /** Called with the first resolution, then each time the effective runtime (its fingerprint) changes. */
  onChange: (resolved: Resolved) => void | Promise<void>;
  /** Called when a resolve is refused (the profile deleted: 404) or the feed fails; following goes on. */
  onError?: (error: unknown) => void;
}

export interface Following {
  /** The last resolution delivered to onChange. */
  readonly current: Resolved | undefined;
  /** The first resolution (rejects when the first resolve is refused). */
  readonly ready: Promise<Resolved>;
  /** Stops following; resolves once the feed is closed. */
  close(): Promise<void>;
}

type Resolve = (signal: AbortSignal) => Promise<Resolved>;

/** Whether a change may have moved what `current` resolves to. */
const concerns = (change: Change, current: Resolved, byDefault: boolean): boolean =>
  (change.type === 'registry.deleted' && change.registry === current.registry) ||
  change.affected.some(
    (entry) =>
      entry.registry === current.registry && (entry.profile === current.profile || (byDefault && (entry as { default?: boolean }).default === true)),
  );

/** The fingerprint the change announces for the profile followed, when it names one. */
const announced = (change: Change, current: Resolved): string | null | undefined =>
  change.affected.find((entry) => entry.registry === current.registry && entry.profile === current.profile && !(entry as { default?: boolean }).default)
    ?.fingerprint;

/**
 * The runtime helper: resolves a profile, then follows the change feed and resolves again only
 * when a change concerns it and announces another fingerprint than the one cached; calls back only
 * when the effective runtime changed. The feed position is taken before the first resolve, so a
 * change made in between is seen; across server restarts the feed resumes where it was.
 */
export const followProfile = (transport: Transport, slug: string | undefined, resolve: Resolve, options: FollowOptions): Following => {
  const abort = new AbortController();
  options.signal?.addEventListener('abort', () => abort.abort(), { once: true });
  let current: Resolved | undefined;
  let markReady: (resolved: Resolved) => void = () => {};
  let failReady: (error: unknown) => void = () => {};
  const ready = new Promise<Resolved>((resolveReady, rejectReady) => {
    markReady = resolveReady;
    failReady = rejectReady;
  });
  ready.catch(() => undefined);
  const settings = { ...options, signal: abort.signal };

  const deliver = async (resolved: Resolved) => {
    if (resolved.fingerprint === current?.fingerprint && resolved.profile === current?.profile) return;
    current = resolved;
    await options.onChange(resolved);
  };

  const run = async () => {
    const head = await withBackoff(() => headPosition(transport, options.registry, abort.signal), settings);
    const first = await withBackoff(() => resolve(abort.signal), settings);
    await deliver(first);
    markReady(first);
    for await (const change of watchChanges(transport, { ...settings, registry: first.registry, from: head })) {
      const now = current as Resolved;
      if (!concerns(change, now, slug === undefined)) continue;
      if (announced(change, now) === now.fingerprint) continue; // the cache already holds this runtime
      try {
        await deliver(await withBackoff(() => resolve(abort.signal), settings));
      } catch (error) {
        if (abort.signal.aborted) return;
        options.onError?.(error);
      }
    }
  };
  const done = run().catch((error: unknown) => {
    failReady(error);
    if (!abort.signal.aborted) options.onError?.(error);
  });

  return {
    get current() {
      return current;
    },
    ready,
    close: async () => {
      abort.abort();
      await done;
    },
  };
};
