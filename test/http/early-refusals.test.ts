import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

interface Outcome {
  status?: number;
  contentType?: string;
  body?: string;
  error?: string;
}

/**
 * One request through node:http, as a client that writes its whole body before it reads: the
 * answer it gets, or the socket error (EPIPE, ECONNRESET) that ate it.
 */
const send = (
  url: string,
  options: { body: Buffer; headers: Record<string, string>; chunked?: boolean },
): Promise<Outcome> =>
  new Promise((resolve) => {
    const headers = options.chunked ? options.headers : { ...options.headers, 'content-length': String(options.body.length) };
    const req = httpRequest(`${url}/api/chat/profiles`, { method: 'POST', headers, agent: false });
    req.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, contentType: response.headers['content-type'], body }));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    // in 16 KiB pieces, waiting for the socket to drain, as a streaming client writes: without the
    // server's discarding read, most of these writes met a closed socket (EPIPE) before the answer
    let offset = 0;
    const pump = () => {
      while (offset < options.body.length) {
        const piece = options.body.subarray(offset, (offset += 16_384));
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    setImmediate(pump);
  });

const TWO_MIB = Buffer.alloc(2 * 1024 * 1024, 'a');
const jsonBody = Buffer.concat([Buffer.from('{"slug":"big","description":"'), TWO_MIB, Buffer.from('"}')]);

// a server of its own process: in the test's process, client and server share one event loop and the race hides
describe('early refusals reach a node:http client that is still writing its body', () => {
  const folder = tempDir();
  let server: ServerProcess;
  let url: string;
  beforeAll(async () => {
    server = await startServer(['--profile-registry-db', join(folder.dir, 'profiles.db')]);
    url = server.url;
  });
  afterAll(async () => {
    await server?.stop();
    folder.remove();
  });

  const expectRefusal = (outcomes: Outcome[], status: number) => {
    for (const outcome of outcomes) {
      expect(outcome.error, JSON.stringify(outcome)).toBeUndefined();
      expect(outcome.status).toBe(status);
      expect(outcome.contentType).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(outcome.body ?? '')).toMatchObject({ status });
    }
  };

  it('answers 413 to a 2 MiB body with a content-length, every time (never EPIPE or ECONNRESET)', async () => {
    const outcomes: Outcome[] = [];
    for (let attempt = 0; attempt < 8; attempt++) outcomes.push(await send(url, { body: jsonBody, headers: { 'content-type': 'application/json' } }));
    expectRefusal(outcomes, 413);
  });

  it('answers 413 to a 2 MiB chunked body, every time', async () => {
    const outcomes: Outcome[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      outcomes.push(await send(url, { body: jsonBody, headers: { 'content-type': 'application/json' }, chunked: true }));
    }
    expectRefusal(outcomes, 413);
  });

  it('answers 415 to a 2 MiB body that is not JSON, every time', async () => {
    const outcomes: Outcome[] = [];
    for (let attempt = 0; attempt < 8; attempt++) outcomes.push(await send(url, { body: TWO_MIB, headers: { 'content-type': 'text/plain' } }));
    expectRefusal(outcomes, 415);
  });

  it('answers 431 to headers over the limit followed by a 2 MiB body, every time', async () => {
    const outcomes: Outcome[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      outcomes.push(await send(url, { body: jsonBody, headers: { 'content-type': 'application/json', 'x-filler': 'f'.repeat(20_000) } }));
    }
    expectRefusal(outcomes, 431);
  });

  it('answers 413 to fetch too, and still serves the next request after those refusals', async () => {
    const refused = await fetch(`${url}/api/chat/profiles`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: jsonBody });
    expect(refused.status).toBe(413);
    expect(await refused.json()).toMatchObject({ status: 413 });
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(200);
  });
});
