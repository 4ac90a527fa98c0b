import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDefaultRegistry } from '../../src/use-cases/seed-default-registry.js';
import { describeEachBackend } from '../support/backends.js';
import { storeSnapshot } from '../support/store-snapshot.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

describeEachBackend('Idempotency-Key on %s', (backend) => {
  let t: TestApp;
  const post = (key: string, payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/chat/profiles', headers: { 'idempotency-key': key }, payload });

  beforeAll(async () => {
    t = await openTestApp(backend);
    await seedDefaultRegistry(t.store);
  });
  afterAll(async () => t?.close());

  it('answers a retry with the first response and appends nothing', async () => {
    const first = await post('create-once', { slug: 'once', runtime: { system_prompt: 'hi' } });
    expect(first.statusCode).toBe(201);
    const snapshot = await storeSnapshot(t.store.db);
    const retry = await post('create-once', { runtime: { system_prompt: 'hi' }, slug: 'once' });
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toBe(first.body);
    expect(retry.headers.etag).toBe(first.headers.etag);
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await storeSnapshot(t.store.db)).toEqual(snapshot);
  });

  it('refuses the same key with another body with 422 and changes nothing', async () => {
    await post('create-twice', { slug: 'twice' });
    const snapshot = await storeSnapshot(t.store.db);
    const reused = await post('create-twice', { slug: 'twice-other' });
    expect(reused.statusCode).toBe(422);
    expect(reused.headers['content-type']).toContain('application/problem+json');
    expect(reused.json().detail).toBe('Idempotency-Key was already used with another request');
    expect(await storeSnapshot(t.store.db)).toEqual(snapshot);
  });

  it('replays a PATCH guarded by If-Match and a DELETE instead of 412 and 404', async () => {
    const created = await post('create-guarded', { slug: 'guarded' });
    const patch = {
      method: 'PATCH' as const,
      url: '/api/chat/profiles/guarded',
      headers: { 'idempotency-key': 'patch-guarded', 'if-match': created.headers.etag as string },
      payload: { description: 'v2' },
    };
    const first = await t.app.inject(patch);
    expect(first.statusCode).toBe(200);
    const retry = await t.app.inject(patch);
    expect(retry.statusCode).toBe(200);
    expect(retry.json().metadata.version).toBe(2);
    const del = { method: 'DELETE' as const, url: '/api/chat/profiles/guarded', headers: { 'idempotency-key': 'delete-guarded' } };
    expect((await t.app.inject(del)).statusCode).toBe(204);
    const snapshot = await storeSnapshot(t.store.db);
    expect((await t.app.inject(del)).statusCode).toBe(204);
    expect(await storeSnapshot(t.store.db)).toEqual(snapshot);
  });

  it('writes once when retries race each other', async () => {
    const before = await storeSnapshot(t.store.db);
    const responses = await Promise.all(Array.from({ length: 5 }, () => post('create-raced', { slug: 'raced' })));
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(responses.map((r) => r.body)).size).toBe(1);
    const after = await storeSnapshot(t.store.db);
    expect(after.events.length).toBe(before.events.length + 1);
  });
});
