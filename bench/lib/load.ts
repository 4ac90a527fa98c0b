import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSec: number;
  method?: 'GET' | 'POST' | 'PATCH';
  headers?: Record<string, string>;
  /** Requests sent in turn (each request takes the next path and body). */
  cycle?: { path: string; body?: string }[];
  /** Status codes that count as success besides 2xx (e.g. 304). */
  expectStatus?: number;
}

/** Drives one URL with autocannon over loopback and reports throughput and latency. */
export const runLoad = async (options: LoadOptions): Promise<LoadResult> => {
  let next = 0;
  const cycle = options.cycle;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSec,
    method: options.method ?? 'GET',
    headers: { ...(cycle ? { 'content-type': 'application/json' } : {}), ...options.headers },
    requests: cycle
      ? [
          {
            setupRequest: (request) => {
              const item = cycle[next++ % cycle.length] as { path: string; body?: string };
              return { ...request, path: item.path, body: item.body };
            },
          },
        ]
      : undefined,
  });
  const statusCounts = result.statusCodeStats as unknown as Record<string, { count: number }>;
  const expected = options.expectStatus ? (statusCounts[String(options.expectStatus)]?.count ?? 0) : 0;
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx - expected,
    errors: result.errors + result.timeouts,
  };
};

/** PATCHes that each change one profile's description: always a real, small, validated write. */
export const descriptionPatchCycle = (registry: string, slugs: readonly string[], count = 50_000) =>
  Array.from({ length: count }, (_, index) => ({
    path: `/api/chat/profiles/${slugs[index % slugs.length]}?registry=${registry}`,
    body: JSON.stringify({ description: `revision ${index}` }),
  }));
