import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../support/test-store.js';

/**
 * A read answered from memory is sent within the turn that received the request, before Node marks
 * a bodiless request complete: the connection must stay open all the same (a client that keeps
 * its connections, as every load balancer does, would otherwise reconnect for each read).
 */
describe('reads from memory keep the connection', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await openTestApp('sqlite');
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'base' } });
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'base', slug: 'root', runtime: { system_prompt: 'v1' } } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => t?.close());

  const get = (agent: Agent, path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; socket: unknown }>((resolve, reject) => {
      const sent = request({ host: '127.0.0.1', port, path, agent, headers }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, socket: sent.socket }));
      });
      sent.on('error', reject);
      sent.end();
    });

  it('answers GET profile, its 304 and resolve on one kept connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answers = [];
      for (let round = 0; round < 3; round += 1) {
        const document = await get(agent, '/api/chat/profiles/root?registry=base');
        answers.push(document);
        answers.push(await get(agent, '/api/chat/profiles/root?registry=base', { 'if-none-match': String(document.headers.etag) }));
        answers.push(await get(agent, '/api/chat/resolve/root?registry=base'));
      }
      expect(answers.map((answer) => answer.status)).toEqual([200, 304, 200, 200, 304, 200, 200, 304, 200]);
      for (const answer of answers) expect(answer.headers.connection).toBe('keep-alive');
      expect(new Set(answers.map((answer) => answer.socket)).size).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});
