import Fastify from 'fastify';
const mode = process.env.FLOOR ?? 'full';
const app = Fastify({ logger: mode === 'nolog' || mode === 'bare' ? false : mode === 'redact' ? { level: 'warn', redact: ['req.headers.authorization', 'req.headers.cookie'] } : { level: 'warn' }, requestIdHeader: false, genReqId: () => Math.random().toString(36).slice(2, 14), return503OnClosing: true, routerOptions: { maxParamLength: 1024 } });
if (mode !== 'bare') {
  app.addHook('onRequest', (request, reply, done) => { reply.header('x-request-id', request.id); done(); });
  app.addHook('onResponse', (request, reply, done) => { done(); });
}
const etag = '"1-0123456789abcdef"';
app.get('/api/chat/profiles/:slug', async (request, reply) => {
  reply.header('etag', etag);
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  return reply.send('x');
});
app.get('/hello', async () => ({ hello: 'world' }));
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
