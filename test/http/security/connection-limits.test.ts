import { request } from 'node:http';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDefaultRegistry } from '../../../src/use-cases/seed-default-registry.js';
import { writeTestTokens, type TestTokens } from '../../support/auth-tokens.js';
import { openTestStore, tempDir, type TestStore, buildTestApp } from '../../support/test-store.js';

/** Sends raw bytes and collects what comes back until the server closes (or `waitMs` passes). */
const rawExchange = (port: number, bytes: string, waitMs = 5000): Promise<{ text: string; closed: boolean; ms: number }> =>
  new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false, ms: Date.now() - started });
    }, waitMs);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true, ms: Date.now() - started });
    });
    socket.write(bytes);
  });

const problemOf = (text: string) => {
  const [head, body] = text.split('\r\n\r\n', 2);
  return { status: Number(head.split(' ')[1]), head: head.toLowerCase(), body: JSON.parse(body) as { status: number; detail: string } };
};

describe('connections: parser errors, slow clients, watchers', () => {
  let t: TestStore;
  let app: FastifyInstance;
  let port: number;
  let tokens: TestTokens;
  const dir = tempDir();
  beforeAll(async () => {
    t = await openTestStore('sqlite');
    await seedDefaultRegistry(t.store);
    tokens = writeTestTokens(dir.dir);
    app = await buildTestApp({ store: t.store, requestTimeoutMs: 300, maxWatchersPerClient: 2, authTokensFile: tokens.file });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
    dir.remove();
  });

  it.each([
    ['a bare CR in a header', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n', 400],
    ['a space in a header name', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n', 400],
    ['Transfer-Encoding with Content-Length', 'POST /api/chat/profiles HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n', 400],
    ['a 20 KB header', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['no Host', 'GET /healthz HTTP/1.1\r\n\r\n', 400],
    ['no HTTP at all', 'hello\r\n\r\n', 400],
  ])('answers %s with problem+json', async (_name, bytes, status) => {
    const { text } = await rawExchange(port, bytes, 2000);
    const answer = problemOf(text);
    expect(answer.status).toBe(status);
    expect(answer.head).toContain('content-type: application/problem+json');
    expect(answer.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  });

  it('cuts off a client that announces 1,000 bytes and sends 11, with a 408 problem', async () => {
    const slow = `POST /api/chat/profiles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.token.editor}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"slug":"a"`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => rawExchange(port, slow, 10_000)));
    for (const answer of answers) {
      expect(answer.closed).toBe(true);
      // the timeout is 300 ms, checked every 300 ms (a loaded machine adds its own delay)
      expect(answer.ms).toBeLessThan(8000);
      expect(problemOf(answer.text).status).toBe(408);
    }
  });

  it('caps the open change-feed connections of a token with 429, and frees a place when one closes', async () => {
    const open = (token: string) =>
      new Promise<{ status: number; close: () => void; body: Promise<string> }>((resolve, reject) => {
        const req = request(`http://127.0.0.1:${port}/api/watch`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          const ended = new Promise<string>((done) => res.on('end', () => done(body)).on('close', () => done(body)));
          resolve({ status: res.statusCode ?? 0, close: () => req.destroy(), body: ended });
        });
        req.on('error', reject);
        req.end();
      });
    const first = await open(tokens.token.reader);
    const second = await open(tokens.token.reader);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await open(tokens.token.reader);
    expect(third.status).toBe(429);
    expect(JSON.parse(await third.body)).toMatchObject({ status: 429, title: 'Too Many Requests' });
    const otherToken = await open(tokens.token.editor);
    expect(otherToken.status).toBe(200);
    first.close();
    let again = await open(tokens.token.reader);
    for (let attempt = 0; again.status === 429 && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await open(tokens.token.reader);
    }
    expect(again.status).toBe(200);
    for (const each of [second, otherToken, again]) each.close();
  });
});
