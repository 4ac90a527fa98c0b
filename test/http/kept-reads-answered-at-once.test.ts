import { tracingChannel } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../support/test-store.js';

interface HandlerCall {
  async?: boolean;
  reply: { statusCode: number };
}

/**
 * Fastify's handler channel: `async` is set when the handler returned a promise (or the reply,
 * a thenable) and Fastify waited on it. (The test app's transcript hook, an async onSend, writes
 * the answer after the call, so whether it was written within the call is not seen here.)
 */
const handlerCalls = tracingChannel<string, HandlerCall>('fastify.request.handler');

/** A read whose answer is kept in memory is sent within the handler call: no promise, no wait. */
describe('kept reads answered in the handler call', () => {
  let t: TestApp;
  const calls: { async: boolean; status: number }[] = [];
  const subscribers = {
    start: () => {},
    end: (call: HandlerCall) => calls.push({ async: call.async === true, status: call.reply.statusCode }),
    asyncStart: () => {},
    asyncEnd: () => {},
    error: () => {},
  };

  beforeAll(async () => {
    t = await openTestApp('sqlite');
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'team' } });
    await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: { registry: 'team', slug: 'base', runtime: { system_prompt: 'base' } } });
    await t.app.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: { registry: 'team', slug: 'child', stack: [{ profile_slug: 'base' }], set_default: true, runtime: { tools: ['search'] } },
    });
    handlerCalls.subscribe(subscribers);
  });
  afterAll(async () => {
    handlerCalls.unsubscribe(subscribers);
    await t?.close();
  });

  /** The request twice (the first loads what the second finds kept); the second's answer and its handler call. */
  const twice = async (url: string, headers: Record<string, string> = {}) => {
    const first = await t.app.inject({ method: 'GET', url, headers });
    calls.length = 0;
    const second = await t.app.inject({ method: 'GET', url, headers });
    expect(calls).toHaveLength(1);
    expect(second.statusCode).toBe(first.statusCode);
    expect(second.body).toBe(first.body);
    return { response: second, call: calls[0] };
  };

  it('a kept profile document, and its 304', async () => {
    const { response, call } = await twice('/api/chat/profiles/child?registry=team');
    expect(response.statusCode).toBe(200);
    expect(call).toEqual({ async: false, status: 200 });
    const etag = response.headers.etag as string;
    const notModified = await twice('/api/chat/profiles/child?registry=team', { 'if-none-match': etag });
    expect(notModified.response.statusCode).toBe(304);
    expect(notModified.call).toEqual({ async: false, status: 304 });
  });

  it('a kept resolve, whichever way the profile is chosen', async () => {
    const chosen = [
      ['/api/chat/resolve/child?registry=team', {}, 'path'],
      ['/api/chat/resolve?registry=team&profile=child', {}, 'query'],
      ['/api/chat/resolve?registry=team', {}, 'registry_default'],
      ['/api/chat/resolve', { cookie: 'chat_profile=team/base' }, 'cookie'],
    ] as const;
    for (const [url, headers, source] of chosen) {
      const { response, call } = await twice(url, headers);
      expect(response.statusCode, url).toBe(200);
      expect(response.json().source).toBe(source);
      expect(call, `${url} ${source}`).toEqual({ async: false, status: 200 });
    }
  });

  it('a read that must load still answers through a promise, and a write is seen by the next kept read', async () => {
    const patched = await t.app.inject({ method: 'PATCH', url: '/api/chat/profiles/base?registry=team', payload: { runtime: { system_prompt: 'new' } } });
    expect(patched.statusCode).toBe(200);
    calls.length = 0;
    const loaded = await t.app.inject({ method: 'GET', url: '/api/chat/resolve/child?registry=team' });
    expect(loaded.json().runtime.system_prompt).toBe('new');
    expect(calls).toEqual([{ async: true, status: 200 }]);
  });

  it('a registry that is not there answers 404, kept or not', async () => {
    for (const url of ['/api/chat/resolve?registry=missing', '/api/chat/resolve/child?registry=missing']) {
      const { response } = await twice(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toMatchObject({ status: 404 });
    }
  });
});
