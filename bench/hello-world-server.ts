import Fastify from 'fastify';

/** The baseline every HTTP figure is divided by: a bare Fastify route on the same machine. */
const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
app.get('/healthz', async () => ({ status: 'ok' }));
const port = Number(process.env.PORT ?? 0);
const address = await app.listen({ host: '127.0.0.1', port });
process.stdout.write(`${address}\n`);
