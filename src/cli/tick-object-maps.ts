import { createHook } from 'node:async_hooks';

let kept: object | undefined;

/**
 * Keeps one of `process.nextTick`'s queue entries alive for the life of the process, so that the
 * hidden classes (maps) of those entries are never collected. V8 holds them weakly: when a full
 * collection runs while no entry is queued (the server's start-up makes one), the next entry gets
 * new maps, and the object literal in `nextTick` that names its two symbol keys is marked
 * megamorphic for good. From then on every `nextTick` (about 27 per request: streams, sockets,
 * Fastify) defines those keys through a call into the V8 runtime: callgrind counted 34,000
 * instructions a request there, a fifth of a GET (docs/BENCHMARKS.md, round five, reads5). Called
 * before the first full collection (at the start of `serve`), the entry it keeps holds the maps
 * every later entry shares.
 */
export const keepTickObjectMaps = (): void => {
  if (kept !== undefined) return;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') kept ??= resource;
    },
  });
  hook.enable();
  process.nextTick(() => {});
  hook.disable();
};
