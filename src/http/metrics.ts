import type { FastifyInstance, onResponseHookHandler } from 'fastify';
import { z } from 'zod';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RequestDurationHistogram, type ObserveRequest } from './request-duration-histogram.js';
import { ProjectionDamaged } from '../projections/damaged-row.js';
import type { RegistryStore } from '../use-cases/registry-store.js';
import { problemResponse } from './schemas/problems.js';

/**
 * The HTTP duration of every request by route, method and status, observed when its answer is
 * written: each route declared after this call gets its own onResponse hook holding its series
 * (`request.routeOptions`, where the route could be read per request, is a new object at each
 * read), and a request no route matched counts under the route `unmatched`. Called before any route.
 */
export const observeRequestDurations = (app: FastifyInstance): RequestDurationHistogram => {
  const histogram = new RequestDurationHistogram(
    'profile_registry_http_request_duration_seconds',
    'HTTP request duration by route, method and status',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  const hookOf = (observe: ObserveRequest): onResponseHookHandler => (request, reply, done) => {
    observe(request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  };
  app.addHook('onRoute', (route) => {
    const own = hookOf(histogram.ofRoute(route.url));
    route.onResponse = route.onResponse === undefined ? [own] : [own, ...[route.onResponse].flat()];
  });
  const unmatched = histogram.ofRoute('unmatched');
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) unmatched(request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  return histogram;
};

/**
 * Prometheus metrics at GET /metrics: HTTP latency by route, events appended, write batches, and
 * the change feed's deliveries (observed through `feedDelivered`, which the watch routes call).
 */
export const registerMetrics = (
  app: FastifyInstance,
  store: RegistryStore,
  requestDurations: RequestDurationHistogram,
): { feedDelivered: (seconds: number) => void } => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registry.registerMetric(requestDurations as never);
  const eventsAppended = new Counter({
    name: 'profile_registry_events_appended_total',
    help: 'Events committed, by type',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const commitEvents = new Histogram({
    name: 'profile_registry_commit_events',
    help: 'Events per committed write transaction (group commit)',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250],
    registers: [registry],
  });
  const feedDelivery = new Histogram({
    name: 'profile_registry_change_feed_delivery_seconds',
    help: 'From the change feed reading new commits to its last watcher written (once per page of changes read)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });

  const projectionDamaged = new Counter({
    name: 'profile_registry_projection_damaged_total',
    help: 'Requests answered 500 because a projection row was not valid JSON (run verify)',
    registers: [registry],
  });
  app.addHook('onError', (request, _reply, error, done) => {
    if (error instanceof ProjectionDamaged) {
      projectionDamaged.inc();
      request.log.error({ row: error.row }, 'projection damaged: run verify');
    }
    done();
  });

  store.bus.onCommit((events) => {
    commitEvents.observe(events.length);
    for (const event of events) eventsAppended.inc({ type: event.type });
  });
  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        tags: ['operations'],
        summary: 'Prometheus metrics',
        response: {
          200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: z.string() } } },
          401: problemResponse(401),
          403: problemResponse(403),
        },
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
  return { feedDelivered: (seconds) => feedDelivery.observe(seconds) };
};
