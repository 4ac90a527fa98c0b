interface Series {
  labels: { route: string; method: string; status: string };
  /** Observations per bucket (not cumulative), in the order of the bounds. */
  buckets: number[];
  sum: number;
  count: number;
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/** Observes one request of a route: its method, status and duration. */
export type ObserveRequest = (method: string, status: number, seconds: number) => void;

/**
 * The HTTP request duration histogram by route, method and status, exposed as prom-client's
 * Histogram would expose it (same names, labels and lines), but observed at the cost of a
 * comparison per bucket: prom-client checks and hashes the labels on every observation, which
 * cost a few per cent of a read's CPU. Registered in a prom-client Registry as a metric of its own
 * (`registry.registerMetric`).
 */
export class RequestDurationHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** Every series, in the order of their first observation (the order they are printed in). */
  private readonly series: Series[] = [];
  /** Per route, its series by method and status: found without building a key per request. */
  private readonly routes = new Map<string, Map<string, Map<number, Series>>>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  observe(route: string, method: string, status: number, seconds: number): void {
    this.ofRoute(route)(method, status, seconds);
  }

  /** The observer of one route's requests (a route's hook takes it once, not at every request). */
  ofRoute(route: string): ObserveRequest {
    let byMethod = this.routes.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.routes.set(route, byMethod);
    }
    const seriesByMethod = byMethod;
    const bounds = this.bounds;
    return (method, status, seconds) => {
      let byStatus = seriesByMethod.get(method);
      if (byStatus === undefined) {
        byStatus = new Map();
        seriesByMethod.set(method, byStatus);
      }
      let series = byStatus.get(status);
      if (series === undefined) {
        series = { labels: { route, method, status: String(status) }, buckets: bounds.map(() => 0), sum: 0, count: 0 };
        byStatus.set(status, series);
        this.series.push(series);
      }
      let bucket = 0;
      while (bucket < bounds.length && !(seconds <= (bounds[bucket] as number))) bucket += 1;
      if (bucket < bounds.length) (series.buckets[bucket] as number) += 1;
      series.sum += seconds;
      series.count += 1;
    };
  }

  reset(): void {
    this.series.length = 0;
    for (const byMethod of this.routes.values()) byMethod.clear();
  }

  /** What prom-client's Registry prints: per series, the cumulative buckets, +Inf, sum and count. */
  getForPromString() {
    const values: (Sample & { exemplar?: null; sharedLabels: Record<string, string> })[] = [];
    for (const { labels, buckets, sum, count } of this.series) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += buckets[index] as number;
        values.push({ labels: { le: bound }, value: cumulative, metricName: `${this.name}_bucket`, exemplar: null, sharedLabels: labels });
      });
      values.push(
        { labels: { le: '+Inf' }, value: count, metricName: `${this.name}_bucket`, exemplar: null, sharedLabels: labels },
        { labels: {}, value: sum, metricName: `${this.name}_sum`, sharedLabels: labels },
        { labels: {}, value: count, metricName: `${this.name}_count`, sharedLabels: labels },
      );
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The same as JSON (Registry.getMetricsAsJSON): each sample's labels with its series' labels. */
  get() {
    const data = this.getForPromString();
    return { ...data, values: data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })) };
  }
}
