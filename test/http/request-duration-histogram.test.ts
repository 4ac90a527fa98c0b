import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestDurationHistogram } from '../../src/http/request-duration-histogram.js';

const NAME = 'profile_registry_http_request_duration_seconds';
const HELP = 'HTTP request duration by route, method and status';
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const observations: [string, string, number, number][] = [
  ['/api/chat/profiles/:slug', 'GET', 200, 0.0004],
  ['/api/chat/profiles/:slug', 'GET', 200, 0.003],
  ['/api/chat/profiles/:slug', 'GET', 304, 0.0007],
  ['/api/registries', 'POST', 201, 0.02],
  ['unmatched', 'GET', 404, 2.5],
  ['/api/chat/profiles/:slug', 'GET', 200, 1],
];

describe('the request duration histogram', () => {
  it('exposes what prom-client’s Histogram exposes for the same observations, as text and as JSON', async () => {
    const theirs = new Registry();
    const histogram = new Histogram({ name: NAME, help: HELP, labelNames: ['route', 'method', 'status'], buckets: BUCKETS, registers: [theirs] });
    const ours = new Registry();
    const counted = new RequestDurationHistogram(NAME, HELP, BUCKETS);
    ours.registerMetric(counted as never);
    for (const [route, method, status, seconds] of observations) {
      histogram.labels({ route, method, status: String(status) }).observe(seconds);
      counted.observe(route, method, status, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    counted.reset();
    histogram.reset();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
