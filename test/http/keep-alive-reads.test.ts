import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestTokens } from '../support/auth-tokens.js';
import { openGuardedApp, type GuardedApp } from '../support/guarded-app.js';

/**
 * An answer sent within the turn that received the request (a refusal of the onRequest hook) goes
 * out before Node marks even a bodiless request complete: with no body announced there is nothing
 * to drain, and the connection stays open (a client that keeps its connections does not reconnect).
 */
describe('answers to bodiless requests keep the connection', () => {
  let t: GuardedApp;
  let port: number;
  let tokens: TestTokens;
  beforeAll(async () => {
    t = await openGuardedApp('sqlite');
    tokens = t.tokens;
    const auth = { authorization: `Bearer ${tokens.token.admin}` };
    await t.app.inject({ method: 'POST', url: '/api/registries', headers: auth, payload: { slug: 'base' } });
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', headers: auth, payload: { registry: 'base', slug: 'root', runtime: { system_prompt: 'v1' } } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(() => t?.close());

  const get = (agent: Agent, path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; socket: unknown }>((resolve, reject) => {
      const sent = request({ host: '127.0.0.1', port, path, agent, headers }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, socket: sent.socket }));
      });
      sent.on('error', reject);
      sent.end();
    });

  it('answers refusals, GET profile, its 304 and resolve on one kept connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const auth = { authorization: `Bearer ${tokens.token.reader}` };
    try {
      const answers = [];
      for (let round = 0; round < 2; round += 1) {
        answers.push(await get(agent, '/api/chat/profiles/root?registry=base'));
        const document = await get(agent, '/api/chat/profiles/root?registry=base', auth);
        answers.push(document);
        answers.push(await get(agent, '/api/chat/profiles/root?registry=base', { ...auth, 'if-none-match': String(document.headers.etag) }));
        answers.push(await get(agent, '/api/chat/resolve/root?registry=base', auth));
      }
      expect(answers.map((answer) => answer.status)).toEqual([401, 200, 304, 200, 401, 200, 304, 200]);
      for (const answer of answers) expect(answer.headers.connection).toBe('keep-alive');
      expect(new Set(answers.map((answer) => answer.socket)).size).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});
