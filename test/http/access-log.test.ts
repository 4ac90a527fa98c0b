import { afterEach, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../support/test-store.js';

/** The access log of one request as lines of `level`, message and the fields Fastify gives them. */
const accessLog = async (logLevel: string, url: string) => {
  const lines: Record<string, unknown>[] = [];
  const t = await openTestApp('sqlite', {}, { logLevel, logStream: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  opened.push(t);
  lines.length = 0;
  const answer = await t.app.inject({ method: 'GET', url, headers: { 'x-request-id': 'access-1' } });
  return { answer, lines };
};

const opened: TestApp[] = [];
afterEach(async () => {
  for (const t of opened.splice(0)) await t.close();
});

describe('the access log', () => {
  it('writes the incoming and completed lines of every request at info, with the request and the answer', async () => {
    const { answer, lines } = await accessLog('info', '/healthz?x=1');
    expect(answer.statusCode).toBe(200);
    expect(lines.map(({ level, msg, reqId }) => ({ level, msg, reqId }))).toEqual([
      { level: 30, msg: 'incoming request', reqId: 'access-1' },
      { level: 30, msg: 'request completed', reqId: 'access-1' },
    ]);
    expect(lines[0]!.req).toEqual({ method: 'GET', url: '/healthz?x=1', host: 'localhost:80', remoteAddress: '127.0.0.1', remotePort: undefined });
    expect(lines[1]!.res).toEqual({ statusCode: 200 });
    expect(typeof lines[1]!.responseTime).toBe('number');
  });

  it('writes them for a request no route matched', async () => {
    const { answer, lines } = await accessLog('info', '/no/such/route');
    expect(answer.statusCode).toBe(404);
    expect(lines.map(({ msg }) => msg)).toEqual(['incoming request', 'request completed']);
    expect(lines[1]!.res).toEqual({ statusCode: 404 });
  });

  it('writes neither at warn', async () => {
    const { answer, lines } = await accessLog('warn', '/healthz');
    expect(answer.statusCode).toBe(200);
    expect(lines).toEqual([]);
  });
});
