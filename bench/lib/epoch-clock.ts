import { performance } from 'node:perf_hooks';

/**
 * Milliseconds since the epoch at sub-millisecond resolution: the clock every process of a
 * benchmark reads (each process's monotonic clock, anchored at its start to the system clock),
 * so times taken in different processes of one machine compare.
 */
export const epochMs = (): number => performance.timeOrigin + performance.now();
