import { connect } from 'node:net';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDefaultRegistry } from '../../../src/use-cases/seed-default-registry.js';
import { storeFingerprint } from '../../support/store-fingerprint.js';
import { openTestStore, type TestStore, buildTestApp } from '../../support/test-store.js';

const BASE = [
  'POST /api/chat/profiles?registry=default HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: close\r\n\r\n{"slug":"fuzzy"}',
  'GET /api/chat/profiles/default HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: "1-x"\r\nCookie: chat_profile=default/default\r\nConnection: close\r\n\r\n',
  'PATCH /api/chat/profiles/default HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n11\r\n{"description":1}\r\n0\r\n\r\n',
];

const INSERTS = ['\r', '\n', '\r\n', ' ', ':', '\u0000', '\t', 'Transfer-Encoding: chunked\r\n', 'Content-Length: 5\r\n', 'Host: b\r\n', '\u00ff', '%', '"', 'x'.repeat(17_000)];

/** A base request with a few random edits: bytes inserted, removed or replaced. */
const mutated = fc
  .tuple(
    fc.constantFrom(...BASE),
    fc.array(
      fc.record({
        at: fc.nat(),
        remove: fc.nat({ max: 6 }),
        insert: fc.oneof(fc.constantFrom(...INSERTS), fc.string({ maxLength: 4, unit: 'binary-ascii' })),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([base, edits]) =>
    edits.reduce((text, edit) => {
      const at = edit.at % (text.length + 1);
      return text.slice(0, at) + edit.insert + text.slice(at + edit.remove);
    }, base),
  );

/** The first response on the socket (or what came before the server closed it). */
const exchange = (port: number, bytes: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 5 s to ${JSON.stringify(bytes.slice(0, 300))}`));
    }, 5000);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1];
      if (length !== undefined && text.length >= end + 4 + Number(length)) done();
    });
    socket.on('error', () => undefined);
    socket.on('close', done);
    socket.write(Buffer.from(bytes, 'latin1'));
  });

/** All the server sends on one connection until it closes it. */
const everything = (port: number, bytes: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection was not closed within 5 s; received: ${text}`));
    }, 5000);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.write(Buffer.from(bytes, 'latin1'));
  });

describe('mutated raw HTTP requests', () => {
  let t: TestStore;
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    t = await openTestStore('sqlite');
    await seedDefaultRegistry(t.store);
    app = await buildTestApp({ store: t.store, requestTimeoutMs: 300 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('answers a whole request before the malformed bytes that follow it in the same packet, and refuses those after it', async () => {
    for (const [index, connection] of ['keep-alive', 'close'].entries()) {
      const slug = `whole-${index}`;
      const json = JSON.stringify({ slug });
      const request = `POST /api/chat/profiles?registry=default HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\nConnection: ${connection}\r\n\r\n${json}`;
      const text = await everything(port, `${request}p*)`);
      // the write was made, and the client is told so first
      expect(text, text).toMatch(/^HTTP\/1\.1 201 /);
      const read = await app.inject({ method: 'GET', url: `/api/chat/profiles/${slug}?registry=default` });
      expect(read.json()).toMatchObject({ slug, metadata: { version: 1 } });
      const second = text.indexOf('HTTP/1.1 400 ');
      if (connection === 'keep-alive') {
        expect(second, text).toBeGreaterThan(0);
        expect(text.slice(second), text).toContain('/problems/malformed-request"');
      } else {
        // the answer closed the connection: nothing is read after it
        expect(second, text).toBe(-1);
      }
    }
  });

  it('answer every error, the HTTP parser\'s included, as problem+json with a body, and change nothing when refused', async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async (bytes) => {
        const before = await storeFingerprint(t.store.db);
        const answer = await exchange(port, bytes);
        if (answer === '') return; // the client's bytes ended the connection before a request (nothing to answer)
        const headEnd = answer.indexOf('\r\n\r\n');
        const head = headEnd < 0 ? answer : answer.slice(0, headEnd);
        const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
        // only the first response: a mutation can leave bytes that the server reads as a second request
        const body = headEnd < 0 ? '' : answer.slice(headEnd + 4, length === undefined ? undefined : headEnd + 4 + Number(length));
        const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(head)?.[1]);
        const label = `${JSON.stringify(bytes.slice(0, 200))} -> ${head.split('\r\n')[0]} ${body.slice(0, 200)}`;
        expect(status, label).toBeGreaterThanOrEqual(200);
        expect(status, label).toBeLessThan(500);
        if (status >= 400) {
          expect(head.toLowerCase(), label).toContain('content-type: application/problem+json');
          expect(JSON.parse(body), label).toMatchObject({ status, detail: expect.any(String) });
          expect(await storeFingerprint(t.store.db), label).toBe(before);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 100) },
    );
  }, 300_000);
});
