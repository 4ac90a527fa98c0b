import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { verifyStore } from '../../src/projections/verify-store.js';
import { describeEachBackend } from '../support/backends.js';
import { openTestApp, steppingClock, type TestApp } from '../support/test-store.js';

describeEachBackend('verify reads the log once on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(backend, { now: steppingClock(), snapshotEvery: 5 });
    const write = (method: 'POST' | 'PATCH', url: string, payload?: object) =>
      t.app.inject({ method, url, payload, headers: { 'x-actor': 'tester' } });
    for (const registry of ['one', 'two']) {
      await write('POST', '/api/registries', { slug: registry });
      for (let round = 0; round < 6; round++) {
        await write('POST', '/api/chat/profiles', { registry, slug: `p${round}` });
        await write('PATCH', `/api/chat/profiles/p${round}?registry=${registry}`, { runtime: { tools: [`tool-${round}`] } });
      }
    }
  });
  afterAll(async () => t?.close());

  it('an intact store: the chain, the seals and the change feed are checked on the rebuild\'s read, not read again', async () => {
    const db = t.store.db;
    const readRecords = vi.spyOn(db.events, 'readRecords');
    const readHashes = vi.spyOn(db.events, 'readHashes');
    try {
      const report = await verifyStore(db);
      expect(report.findings).toEqual([]);
      expect(report.events).toBe(await db.events.countEvents());
      expect(report.streams).toBe((await db.events.listStreams()).length);
      expect(readRecords).not.toHaveBeenCalled();
      expect(readHashes).not.toHaveBeenCalled();
    } finally {
      readRecords.mockRestore();
      readHashes.mockRestore();
    }
  });

  it('a snapshot edited: named by the same pass', async () => {
    const db = t.store.db;
    const [first, second] = await db.all<{ stream_version: number | string; state_json: string }>(
      "SELECT stream_version, state_json FROM registry_snapshots WHERE stream_id = 'two' ORDER BY stream_version",
    );
    await db.run("UPDATE registry_snapshots SET state_json = $1 WHERE stream_id = 'two' AND stream_version = $2", [
      first.state_json,
      Number(second.stream_version),
    ]);
    try {
      expect((await verifyStore(db)).findings).toEqual([
        { level: 'projection', detail: `registry "two": snapshot at version ${Number(second.stream_version)} differs from the events` },
      ]);
    } finally {
      await db.run("UPDATE registry_snapshots SET state_json = $1 WHERE stream_id = 'two' AND stream_version = $2", [
        second.state_json,
        Number(second.stream_version),
      ]);
    }
  });

  it('events that cannot be folded: the chain, the seals and the change feed after them are still checked', async () => {
    const db = t.store.db;
    const broken = await db.get<{ position: number | string; stream_version: number | string }>(
      "SELECT position, stream_version FROM events WHERE stream_id = 'one' AND stream_version = 4",
    );
    const position = Number(broken!.position);
    const unsealed = Number((await db.get<{ p: number | string }>("SELECT MAX(position) AS p FROM events WHERE stream_id = 'two'"))!.p);
    const edited = Number((await db.get<{ p: number | string }>('SELECT MAX(position) AS p FROM change_affected'))!.p);
    expect(unsealed).toBeGreaterThan(position);
    expect(edited).toBeGreaterThan(position);
    await db.run('UPDATE events SET schema_version = 99 WHERE position = $1', [position]);
    await db.run('DELETE FROM event_seals WHERE position = $1', [unsealed]);
    await db.run("UPDATE change_affected SET affected_json = '[]' WHERE position = $1", [edited]);
    const details = (await verifyStore(db)).findings.map((finding) => `${finding.level}: ${finding.detail}`);
    expect(details[0]).toBe(`events: event at position ${position} (registry "one", version 4): its stored bytes do not match its hash`);
    expect(details).toContain(`events: event at position ${unsealed} (registry "two", version ${(await db.events.streamHead('two')).version}): its seal is missing: it was deleted`);
    expect(details).toContain(`events: change feed row at position ${edited} was edited: its seal does not match (mismatch)`);
    expect(details[details.length - 1]).toMatch(/^events: the events cannot be folded: .*schema version 99/);
  });
});
