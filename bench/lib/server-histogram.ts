/** A Prometheus histogram as a server's /metrics shows it: cumulative counts by upper bound (seconds). */
export interface HistogramReading {
  buckets: [number, number][];
  sum: number;
  count: number;
}

export const readHistogram = async (baseUrl: string, name: string): Promise<HistogramReading> => {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const buckets: [number, number][] = [];
  for (const match of text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm'))) {
    buckets.push([match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]), Number(match[2])]);
  }
  const value = (suffix: string) => Number(new RegExp(`^${name}_${suffix} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? 0);
  return { buckets, sum: value('sum'), count: value('count') };
};

/** What was observed between two readings: count, mean and, for each quantile, the bucket bound it falls under (ms). */
export const observedBetween = (before: HistogramReading, after: HistogramReading, quantiles: number[]) => {
  const count = after.count - before.count;
  const cumulative = after.buckets.map(([bound, total], index) => [bound, total - (before.buckets[index]?.[1] ?? 0)] as const);
  return {
    count,
    meanMs: count > 0 ? ((after.sum - before.sum) / count) * 1000 : 0,
    atMostMs: quantiles.map((q) => (cumulative.find(([, total]) => total >= q * count)?.[0] ?? Number.POSITIVE_INFINITY) * 1000),
  };
};
