import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { validationError } from '../../domain/errors.js';
import { eventProfile } from '../../events/event-types.js';
import type { FeedChange } from '../../projections/change-feed-store.js';
import { createChangeHub, pollChanges } from '../../use-cases/follow-changes.js';
import type { RegistryStore } from '../../use-cases/registry-store.js';
import { scopedChange, scopeOf, type Scope } from '../auth/scope.js';
import { problem, sendProblem } from '../problem.js';
import { registryOf } from '../request-input.js';
import type { RoutesPlugin } from '../route-schema.js';
import { changesPollSchema, eventStreamSchema } from '../schemas/documents.js';
import { problemResponse, problemResponses } from '../schemas/problems.js';
import { registryOrDefaultQuery } from '../schemas/query.js';
import { readStoreIdentity } from '../../events/store-identity.js';

export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_MAX_WATCHERS_PER_CLIENT = 100;
const MAX_WAIT_SECONDS = 60;

/** Where a watcher resumes: a position, and the identity of the store it was read from when the client gave it. */
interface Resume {
  identity?: string;
  position: number;
}

const POSITION_RULE = 'must be a position (an integer from 0 to 2^53-1), optionally after the store identity and a colon';

const RESUME_PATTERN = '^(?:\\s*(?:[0-9a-f]{16}:)?\\d+\\s*)?$';

/** `<position>` as clients have always sent it, or `<identity>:<position>` as the feed now gives it; empty: none. */
const parseResume = (raw: string, name: string): Resume | undefined => {
  if (raw === '') return undefined;
  const match = /^(?:([0-9a-f]{16}):)?(\d+)$/.exec(raw.trim());
  // positions are BIGINT on PostgreSQL: anything past a safe integer is no position this store can reach
  const position = match ? Number(match[2]) : Number.NaN;
  if (!Number.isSafeInteger(position)) {
    throw validationError(name, POSITION_RULE);
  }
  return { identity: match?.[1], position };
};

/** A resume position in the query or a header, parsed by `parseResume` (refusals name `name`). */
const resumeQuery = (name: string, description: string) =>
  z
    .string()
    .optional()
    .transform((raw) => (raw === undefined ? undefined : parseResume(raw, name)))
    .meta({ description, pattern: RESUME_PATTERN });

/** Why a resume position cannot be followed from (another store identity, or beyond the newest event), if it cannot. */
const resetReason = (resume: Resume | undefined, identity: string, head: number): string | undefined => {
  if (resume === undefined) return undefined;
  if (resume.identity !== undefined && resume.identity !== identity) {
    return `position ${resume.identity}:${resume.position} belongs to another store identity (a restored backup or a rebuild): this store is ${identity}, its newest event at ${head}`;
  }
  if (resume.position > head) return `position ${resume.position} lies beyond the newest event (${head}): the store was restored or rebuilt`;
  return undefined;
};

const WAIT_PATTERN = '^(?:\\s*(?:\\d+(?:\\.\\d*)?|\\.\\d+)\\s*)?$';
const waitInput = new RegExp(WAIT_PATTERN);

/** `?wait=`: seconds (a decimal ≥ 0), at most MAX_WAIT_SECONDS counted, as milliseconds; empty: 0. */
const parseWait = (raw: string): number => {
  if (raw === '') return 0;
  const seconds = waitInput.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(seconds)) {
    throw validationError('wait', 'must be a number of seconds ≥ 0');
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
    ...(event.metadata.cause === undefined ? {} : { cause: event.metadata.cause }),
    version: event.stream_version,
    affected,
  };
};

/** The type of a frame about a change outside the caller's registries that moved profiles it may see. */
export const OUTSIDE_CHANGE_TYPE = 'stack.changed';

/**
 * A change as a caller sees it (undefined: not at all). Outside its registries, a change that moved
 * some of its profiles (a stack layer elsewhere changed) is told as those profiles alone: no name,
 * type or version of the other registry.
 */
const scopedItem = (scope: Scope, change: FeedChange) => {
  const seen = scopedChange(scope, change.event.stream_id, change.affected);
  if (seen === undefined) return undefined;
  if (!seen.outside) return seen.affected === change.affected ? feedItem(change) : feedItem({ ...change, affected: seen.affected });
  const [first] = seen.affected;
  const single = seen.affected.every((each) => each.registry === first.registry && each.profile === first.profile);
  return {
    position: change.event.position,
    registry: first.registry,
    ...(single ? { profile: first.profile } : {}),
    type: OUTSIDE_CHANGE_TYPE,
    affected: seen.affected,
  };
};

/** A change's SSE message, and the same bytes as one HTTP/1.1 chunk of a chunked response. */
interface Frame {
  message: Buffer;
  chunk: Buffer;
}
const CRLF = Buffer.from('\r\n');
const frameOf = (identity: string, change: FeedChange, item: object = feedItem(change)): Frame => {
  const message = Buffer.from(`id: ${identity}:${change.event.position}\nevent: change\ndata: ${JSON.stringify(item)}\n\n`);
  return { message, chunk: Buffer.concat([Buffer.from(`${message.length.toString(16)}\r\n`), message, CRLF]) };
};
// the hub hands every watcher the same change objects: serialize and encode each once, and write
// the same bytes to every watcher
const frames = new WeakMap<object, Frame>();
const sseFrame = (identity: string, change: FeedChange): Frame => {
  let frame = frames.get(change.event);
  if (frame === undefined) {
    frame = frameOf(identity, change);
    frames.set(change.event, frame);
  }
  return frame;
};
/**
 * Writes a frame to a watcher's chunked response as one write to its socket, at once: with a
 * thousand watchers, `raw.write` (which corks the socket, queues the chunk in three pieces and
 * writes them on the next tick) took up to twice the CPU. A response still queued behind another
 * on its connection (no socket yet), or not chunked (an HTTP/1.0 client), goes through `raw.write`.
 */
const writeFrame = (raw: ServerResponse, frame: Frame) => {
  const socket = raw.socket;
  if (socket === null || !raw.chunkedEncoding) raw.write(frame.message);
  else if (socket.writable) socket.write(frame.chunk);
};

/** The change feed: Server-Sent Events from a position, or a long poll for clients without SSE. */
export interface WatchOptions {
  store: RegistryStore;
  heartbeatMs?: number;
  pollMs?: number;
  maxPerClient?: number;
  /** Seconds from each read of new changes to the last watcher's write (metrics). */
  onDelivered?: (seconds: number) => void;
}

export const watchRoutes: RoutesPlugin<WatchOptions> = async (app, options) => {
  const { store } = options;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const maxPerClient = options.maxPerClient ?? DEFAULT_MAX_WATCHERS_PER_CLIENT;
  /** Open feed connections (streams and long polls) per token, or per client address without auth. */
  const openByClient = new Map<string, number>();
  const clientKey = (request: FastifyRequest) => (request.caller ? `token:${request.caller.name}` : `address:${request.ip}`);
  const release = (key: string) => {
    const left = (openByClient.get(key) ?? 1) - 1;
    if (left <= 0) openByClient.delete(key);
    else openByClient.set(key, left);
  };
  // read once: `restore-backup` needs the server stopped, and a `rebuild` while serving changes no
  // position (the new identity is announced from the next start)
  const identity = await readStoreIdentity(store.db);
  const hub = createChangeHub(store, { pollMs: options.pollMs, onDelivered: options.onDelivered });
  const open = new Set<FastifyReply>();
  app.addHook('preClose', async () => {
    hub.close();
    for (const reply of open) reply.raw.end();
  });

  const stream = async (
    request: FastifyRequest,
    reply: FastifyReply,
    after: number,
    keep: (change: FeedChange) => boolean,
    scope: Scope,
    reset: string | undefined,
  ) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': String(request.id),
    });
    raw.write(': watching\n\n');
    // the client's position means nothing here: it is told so, and follows from the newest event
    if (reset !== undefined) {
      raw.write(`id: ${identity}:${after}\nevent: reset\ndata: ${JSON.stringify({ identity, head: after, reason: reset })}\n\n`);
    }
    open.add(reply);
    const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs);
    let unfollow = () => {};
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unfollow();
      open.delete(reply);
      release(clientKey(request));
    };
    raw.on('close', close);
    try {
      unfollow = await hub.follow(after, (change) => {
        if (!keep(change)) return;
        if (!scope.limited) return writeFrame(raw, sseFrame(identity, change));
        const item = scopedItem(scope, change);
        if (item !== undefined) writeFrame(raw, frameOf(identity, change, item));
      });
      if (raw.destroyed) close();
    } catch (error) {
      request.log.error({ err: error }, 'change feed failed');
      close();
      raw.end();
    }
  };

  app.get(
    '/api/watch',
    {
      config: { role: 'reader' },
      schema: {
        operationId: 'watchChanges',
        tags: ['change feed'],
        summary: 'Follow the changes: Server-Sent Events, or a long poll with Accept: application/json',
        querystring: z.looseObject({
          registry: registryOrDefaultQuery('only changes of this registry (and of profiles elsewhere that stack on it)'),
          after: resumeQuery('after', 'the position to resume after: `<position>`, or `<identity>:<position>` as the feed gives it'),
          wait: z
            .string()
            .optional()
            .transform((raw) => (raw === undefined ? 0 : parseWait(raw)))
            .meta({ description: `long poll: seconds to wait for a change (at most ${MAX_WAIT_SECONDS} counted)`, pattern: WAIT_PATTERN }),
        }),
        headers: z.looseObject({
          'last-event-id': resumeQuery('Last-Event-ID', 'the position to resume after, `<identity>:<position>` or `<position>` (wins over `after`)'),
        }),
        response: {
          200: {
            description: 'changes after the position: an event stream, or `{changes, next_after}` for Accept: application/json',
            content: { 'text/event-stream': { schema: eventStreamSchema }, 'application/json': { schema: changesPollSchema } },
          },
          ...problemResponses(),
          410: problemResponse(410),
          429: problemResponse(429),
        },
      },
    },
    async (request, reply) => {
    const registryFilter = request.query.registry === undefined ? undefined : registryOf(request, request.query.registry);
    const scope = scopeOf(request);
    const resume = request.headers['last-event-id'] ?? request.query.after;
    const head = await store.db.events.lastPosition();
    const reset = resetReason(resume, identity, head);
    const after = reset === undefined && resume !== undefined ? resume.position : head;
    // a registry's watchers also hear of changes elsewhere that moved its fingerprints (stacks)
    // (a token limited to registries hears of the others only what they did to its own profiles: scopedItem)
    const keep = (change: FeedChange) =>
      registryFilter === undefined
        ? scope.sees(change.event.stream_id) || (scope.limited && change.affected.some((profile) => scope.sees(profile.registry)))
        : change.event.stream_id === registryFilter || change.affected.some((profile) => profile.registry === registryFilter);
    const key = clientKey(request);
    const opened = openByClient.get(key) ?? 0;
    if (opened >= maxPerClient) {
      return sendProblem(reply, problem(429, 'too-many-watchers', `at most ${maxPerClient} open change-feed connections per client`));
    }
    openByClient.set(key, opened + 1);
    if ((request.headers.accept ?? '').includes('application/json')) {
      if (reset !== undefined) {
        release(key);
        return sendProblem(reply, { ...problem(410, 'feed-reset', `${reset}; start over from head`), identity, head });
      }
      // a client that gives up on its long poll frees its place at once, not when the wait ends
      const aborted = new AbortController();
      const abort = () => aborted.abort();
      reply.raw.on('close', abort);
      try {
        const result = await pollChanges(hub, after, request.query.wait, keep, aborted.signal);
        const changes = result.changes.flatMap((change) => scopedItem(scope, change) ?? []);
        return { changes, next_after: result.next_after, identity };
      } finally {
        reply.raw.off('close', abort);
        release(key);
      }
    }
    await stream(request, reply, after, keep, scope, reset);
    return reply;
  },
  );
};
