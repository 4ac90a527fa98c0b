import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { eventProfile } from '../../events/event-types.js';
import { lastPosition } from '../../events/read-events.js';
import type { FeedChange } from '../../projections/change-feed-store.js';
import { createChangeHub, pollChanges } from '../../projections/follow-changes.js';
import type { RegistryStore } from '../../projections/registry-store.js';
import { queryValue, registryOf } from '../request-input.js';

export const DEFAULT_HEARTBEAT_MS = 15_000;
const MAX_WAIT_SECONDS = 60;

const parsePosition = (raw: string | undefined, name: string): number | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw.trim())) {
    throw new DomainError('validation', `validation error (${name}): must be a position (an integer ≥ 0)`, {
      errors: [{ path: name, message: 'must be a position (an integer ≥ 0)' }],
    });
  }
  return Number(raw.trim());
};

const parseWait = (raw: string | undefined): number => {
  if (raw === undefined || raw === '') return 0;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new DomainError('validation', 'validation error (wait): must be a number of seconds ≥ 0', {
      errors: [{ path: 'wait', message: 'must be a number of seconds ≥ 0' }],
    });
  }
  return Math.min(seconds, MAX_WAIT_SECONDS) * 1000;
};

/** The change as the feed shows it (API.md section 3). */
const feedItem = ({ event, affected }: FeedChange) => {
  const profile = eventProfile(event);
  return {
    position: event.position,
    registry: event.stream_id,
    ...(profile === undefined ? {} : { profile }),
    type: event.type,
    version: event.stream_version,
    affected,
  };
};

// the hub hands every watcher the same change objects: serialize each once, not once per watcher
const frames = new WeakMap<object, string>();
const sseFrame = (change: FeedChange): string => {
  let frame = frames.get(change.event);
  if (frame === undefined) {
    frame = `id: ${change.event.position}\nevent: change\ndata: ${JSON.stringify(feedItem(change))}\n\n`;
    frames.set(change.event, frame);
  }
  return frame;
};

/** The change feed: Server-Sent Events from a position, or a long poll for clients without SSE. */
export const registerWatchRoutes = (
  app: FastifyInstance,
  store: RegistryStore,
  options: { heartbeatMs?: number; pollMs?: number } = {},
): void => {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const hub = createChangeHub(store, { pollMs: options.pollMs });
  const open = new Set<FastifyReply>();
  app.addHook('preClose', async () => {
    hub.close();
    for (const reply of open) reply.raw.end();
  });

  const stream = async (request: FastifyRequest, reply: FastifyReply, after: number, keep: (change: FeedChange) => boolean) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': String(request.id),
    });
    raw.write(': watching\n\n');
    open.add(reply);
    const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs);
    let unfollow = () => {};
    const close = () => {
      clearInterval(heartbeat);
      unfollow();
      open.delete(reply);
    };
    raw.on('close', close);
    try {
      unfollow = await hub.follow(after, (change) => {
        if (keep(change)) raw.write(sseFrame(change));
      });
      if (raw.destroyed) close();
    } catch (error) {
      request.log.error({ err: error }, 'change feed failed');
      close();
      raw.end();
    }
  };

  app.get('/api/watch', async (request, reply) => {
    const registryFilter = queryValue(request, 'registry') === undefined ? undefined : registryOf(request);
    const lastEventId = request.headers['last-event-id'];
    const fromHeader = parsePosition(Array.isArray(lastEventId) ? lastEventId[0] : lastEventId, 'Last-Event-ID');
    const after = fromHeader ?? parsePosition(queryValue(request, 'after'), 'after') ?? (await lastPosition(store.db));
    // a registry's watchers also hear of changes elsewhere that moved its fingerprints (stacks)
    const keep = (change: FeedChange) =>
      registryFilter === undefined ||
      change.event.stream_id === registryFilter ||
      change.affected.some((profile) => profile.registry === registryFilter);
    if ((request.headers.accept ?? '').includes('application/json')) {
      const result = await pollChanges(hub, after, parseWait(queryValue(request, 'wait')), keep);
      return { changes: result.changes.map(feedItem), next_after: result.next_after };
    }
    await stream(request, reply, after, keep);
    return reply;
  });
};
