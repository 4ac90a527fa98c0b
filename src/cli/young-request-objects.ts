import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring for the server process. Under load, a scavenge finds
 * the objects of the requests still in flight alive, and V8 then allocates every later request's
 * objects (IncomingMessage, ServerResponse, their stream state) straight in the old generation:
 * each scavenge took ten times longer (old-to-new pointers to visit), a mark-compact ran about
 * every second, and reads answered half as many requests. Whether it happened depended on the
 * first seconds of load, so the same server was fast in one run and slow in the next. A request's
 * objects all die young; the flag is read at each collection, so setting it before the first
 * request is enough (docs/BENCHMARKS.md).
 */
export const keepRequestObjectsYoung = (): void => setFlagsFromString('--no-allocation-site-pretenuring');
