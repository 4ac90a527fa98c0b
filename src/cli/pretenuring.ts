import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring for this process: for the server and for `verify`,
 * whose objects (a request's; a chunk of the log's 4 KB events and the text hashed of each) all
 * die young, but are found alive by a scavenge that runs while they are in use.
 *
 * - The server: under load, V8 then allocated every later request's objects (IncomingMessage,
 *   ServerResponse, their stream state) straight in the old generation: each scavenge took ten
 *   times longer (old-to-new pointers to visit), a mark-compact ran about every second, and reads
 *   answered half as many requests. Whether it happened depended on the first seconds of load, so
 *   the same server was fast in one run and slow in the next.
 * - `verify` of 1,000,000 events: the old generation grew to 290 MB between mark-compacts of a
 *   50-90 MB live set, RSS 465-528 MB (the issue's bound is 500); without it 446-453 MB, and a
 *   tenth less CPU (docs/BENCHMARKS.md).
 *
 * The flag is read at each collection, so setting it before the first is enough.
 */
export const turnOffPretenuring = (): void => setFlagsFromString('--no-allocation-site-pretenuring');
