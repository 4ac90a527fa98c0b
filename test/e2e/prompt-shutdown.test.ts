import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

const SSE_WATCHERS = 1000;
const LONG_POLLS = 100;

interface OpenRequest {
  /** Resolves with the status once the response head arrived. */
  status: Promise<number>;
  /** Resolves with the whole body once the server ended the response (or the connection). */
  ended: Promise<string>;
}

const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

const open = (url: string, accept: string): OpenRequest => {
  let resolveStatus: (status: number) => void = () => {};
  const status = new Promise<number>((resolve) => (resolveStatus = resolve));
  const ended = new Promise<string>((resolve, reject) => {
    const req = request(url, { agent, headers: { accept } }, (res) => {
      resolveStatus(res.statusCode ?? 0);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
      res.on('close', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
  return { status, ended };
};

describe('shutdown', () => {
  const { dir, remove } = tempDir();
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    agent.destroy();
    remove();
  });

  it(`exits within 2 s of SIGTERM with ${LONG_POLLS} long polls and ${SSE_WATCHERS} SSE watchers open; long polls answer`, async () => {
    server = await startServer(['--profile-registry-db', join(dir, 'profiles.db')]);
    const watchers: OpenRequest[] = [];
    for (let batch = 0; batch < SSE_WATCHERS / 100; batch++) {
      const opened = Array.from({ length: 100 }, () => open(`${server!.url}/api/watch`, 'text/event-stream'));
      expect(new Set(await Promise.all(opened.map((watcher) => watcher.status)))).toEqual(new Set([200]));
      watchers.push(...opened);
    }
    const polls = Array.from({ length: LONG_POLLS }, () => open(`${server!.url}/api/watch?wait=10`, 'application/json'));
    let pollsAnswered = 0;
    for (const poll of polls) void poll.ended.then(() => pollsAnswered++);
    // the polls reached the server and wait there (for 10 s, were it not stopped)
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(pollsAnswered).toBe(0);

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const tookMs = Date.now() - signalledAt;

    expect(exit, server.output()).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(2000);
    for (const poll of polls) {
      expect(await poll.status).toBe(200);
      const answer = JSON.parse(await poll.ended) as { changes: unknown[]; next_after: number };
      expect(answer).toEqual({ changes: [], next_after: expect.any(Number) });
    }
    const streams = await Promise.all(watchers.map((watcher) => watcher.ended));
    expect(streams.every((body) => body.startsWith(': watching'))).toBe(true);
  }, 60_000);
});
