import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/** Headers of the inner answer that belong to its own connection, not to the one forwarded to. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);

/**
 * GET (and HEAD) `paths` of `app` answered by a Fastify instance that `build` fills on the first
 * such request: what those routes load (Swagger UI, @fastify/static and their files) stays out of
 * the start. The inner answer is sent as it is; what it does not find is the app's own 404.
 */
export const lazyApp = (app: FastifyInstance, paths: string[], build: (inner: FastifyInstance) => Promise<void>): void => {
  let inner: Promise<FastifyInstance> | undefined;
  const ready = (): Promise<FastifyInstance> =>
    (inner ??= (async () => {
      const instance = Fastify({ logger: false });
      await build(instance);
      await instance.ready();
      return instance;
    })().catch((error: unknown) => {
      inner = undefined;
      throw error;
    }));
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    // HEAD is answered as Fastify answers it on the app's own GET routes
    const answer = await (await ready()).inject({ method: 'GET', url: request.url, headers: request.headers });
    if (answer.statusCode === 404) return reply.callNotFound();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !CONNECTION_HEADERS.has(name)) reply.header(name, value);
    }
    // no body is sent as none (an empty buffer would be typed application/octet-stream)
    return reply.code(answer.statusCode).send(answer.rawPayload.length === 0 ? undefined : answer.rawPayload);
  };
  for (const path of paths) app.get(path, { schema: { hide: true } }, forward);
};
