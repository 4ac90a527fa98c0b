import { expect } from 'vitest';
import type { TestApp } from './test-store.js';

/** Registry "team" with profile "alpha" written five times over HTTP (by alice); the app is closed after. */
export const writeTeamHistory = async (t: TestApp): Promise<void> => {
  const write = async (method: 'POST' | 'PATCH', url: string, payload: object) => {
    const response = await t.app.inject({ method, url, payload, headers: { 'x-actor': 'alice' } });
    expect(response.statusCode, response.body).toBeLessThan(300);
  };
  await write('POST', '/api/registries', { slug: 'team' });
  await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'alpha', runtime: { system_prompt: 'first' } });
  for (const prompt of ['second', 'third', 'fourth']) {
    await write('PATCH', '/api/chat/profiles/alpha?registry=team', { runtime: { system_prompt: prompt } });
  }
  await t.app.close();
};

/**
 * The forger, in plain SQL: the last two events of "team" go and its head points at the event left
 * last. Answers the positions of the deleted events.
 */
export const cutTeamTail = async (t: TestApp): Promise<number[]> => {
  const events = await t.store.db.all<{ position: number | string; stream_version: number | string; hash: string }>(
    "SELECT position, stream_version, hash FROM events WHERE stream_id = 'team' ORDER BY stream_version",
  );
  const kept = events[events.length - 3];
  await t.store.db.run("DELETE FROM events WHERE stream_id = 'team' AND stream_version > $1", [Number(kept.stream_version)]);
  await t.store.db.run("UPDATE streams SET version = $1, last_hash = $2, last_position = $3 WHERE stream_id = 'team'", [
    Number(kept.stream_version),
    kept.hash,
    Number(kept.position),
  ]);
  return events.slice(-2).map((event) => Number(event.position));
};
