import Fastify from 'fastify';

/** The baseline every HTTP figure is divided by: a bare Fastify route on the same machine. */
const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
app.get('/healthz', async () => ({ status: 'ok' }));

/**
 * A bare route answering `count` bytes of JSON, built once per size: what an answer of that size
 * costs the server's transport and the client on the same machine, with nothing of the service
 * (the ceiling a read of that size can reach against `/hello`).
 */
const MIN_BYTES = '{"pad":""}'.length;
const MAX_BYTES = 1 << 20;
const bodies = new Map<number, Buffer>();
const bodyOf = (count: number): Buffer => {
  let body = bodies.get(count);
  if (!body) {
    const padding = 'x'.repeat(count - MIN_BYTES);
    body = Buffer.from(`{"pad":"${padding}"}`);
    bodies.set(count, body);
  }
  return body;
};
app.get<{ Params: { count: string } }>('/bytes/:count', (request, reply) => {
  const count = Number(request.params.count);
  if (!Number.isInteger(count) || count < MIN_BYTES || count > MAX_BYTES) {
    return reply.code(400).send({ error: `count must be an integer from ${MIN_BYTES} to ${MAX_BYTES}` });
  }
  return reply.type('application/json; charset=utf-8').send(bodyOf(count));
});

const port = Number(process.env.PORT ?? 0);
const address = await app.listen({ host: '127.0.0.1', port });
process.stdout.write(`${address}\n`);
