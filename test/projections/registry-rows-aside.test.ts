import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../support/test-store.js';

// The worker thread runs from the built output only (it is started by file): the test loads the
// built modules, so that the worker and the caller's thread share one REPLACED_CONTENT.
const built = (path: string) => import(new URL(`../../dist/src/${path}`, import.meta.url).href);
const modules = async () => ({
  aside: (await built('projections/registry-rows-aside.js')) as typeof import('../../src/projections/registry-rows-aside.js'),
  endOfFold: (await built('projections/end-of-fold.js')) as typeof import('../../src/projections/end-of-fold.js'),
  evolve: (await built('events/evolve.js')) as typeof import('../../src/events/evolve.js'),
  eventStore: (await built('events/event-store.js')) as typeof import('../../src/events/event-store.js'),
  sqlite: (await built('events/sqlite/open-sqlite.js')) as typeof import('../../src/events/sqlite/open-sqlite.js'),
  key: (await built('projections/fingerprint-key-store.js')) as typeof import('../../src/projections/fingerprint-key-store.js'),
  fingerprint: (await built('domain/fingerprint.js')) as typeof import('../../src/domain/fingerprint.js'),
  rebuild: (await built('projections/rebuild.js')) as typeof import('../../src/projections/rebuild.js'),
});

// At the end of the rebuild's fold, a worker computes the rows of a share of the registries
// (their last contents read back on its own connection) while the transaction's thread computes the others.
describe('the registries’ rows computed on a worker thread', () => {
  let t: TestApp;
  const write = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const response = await t.app.inject({ method, url, payload, headers: { 'x-actor': 'alice' } });
    expect(response.statusCode, response.body).toBeLessThan(300);
  };

  beforeAll(async () => {
    t = await openTestApp('sqlite');
    for (const registry of ['team', 'ops', 'lab']) await write('POST', '/api/registries', { slug: registry });
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'alpha', runtime: { system_prompt: 'first' } });
    for (let edit = 1; edit <= 5; edit += 1) await write('PATCH', '/api/chat/profiles/alpha?registry=team', { runtime: { system_prompt: `edit ${edit}` } });
    await write('POST', '/api/chat/profiles', { registry: 'team', slug: 'gone', description: 'deleted' });
    await write('DELETE', '/api/chat/profiles/gone?registry=team');
    await write('POST', '/api/chat/profiles', { registry: 'ops', slug: 'delta', stack: [{ registry_slug: 'team', profile_slug: 'alpha' }] });
    await write('PATCH', '/api/chat/profiles/delta?registry=ops', { description: 'stacked across registries' });
    await write('POST', '/api/chat/profiles', { registry: 'lab', slug: 'epsilon', stack: [{ registry_slug: 'ops', profile_slug: 'delta' }] });
    await write('POST', '/api/chat/profiles', { registry: 'lab', slug: 'zeta', description: 'alone' });
    // a stack from the worker's share (ops) through two registries of the caller's (u-mid, v-root)
    for (const registry of ['u-mid', 'v-root']) await write('POST', '/api/registries', { slug: registry });
    await write('POST', '/api/chat/profiles', { registry: 'v-root', slug: 'root', runtime: { system_prompt: 'from the root' } });
    await write('POST', '/api/chat/profiles', { registry: 'u-mid', slug: 'mid', stack: [{ registry_slug: 'v-root', profile_slug: 'root' }] });
    await write('POST', '/api/chat/profiles', { registry: 'ops', slug: 'theta', stack: [{ registry_slug: 'u-mid', profile_slug: 'mid' }] });
    await write('DELETE', '/api/registries/lab?force=true');
  });
  afterAll(async () => {
    await t?.close();
  });
  /** How the test's store is opened, as the server opens it. */
  const storeOptions = () => ({ path: t.dbPath as string, journalMode: 'WAL', busyTimeoutMs: 5000, foreignKeys: true, synchronous: 'FULL' });

  /** Every stream folded whole, then each profile's content left unread as the rebuild's fold leaves it (its last content event named). */
  const foldedStreams = async (m: Awaited<ReturnType<typeof modules>>, db: ReturnType<typeof m.sqlite.openSqlite>) => {
    const folded = new Map<string, import('../../src/projections/end-of-fold.js').FoldedStream>();
    for (const { streamId, version } of await db.events.listStreams()) {
      if (streamId.startsWith('$')) continue;
      const events = await db.events.readStream(streamId);
      const state = m.evolve.foldEvents(events, streamId);
      const unread = new Map<string, number>();
      for (const event of events) if (event.type === 'profile.created' || event.type === 'profile.updated') unread.set(event.data.profile, event.stream_version);
      const profiles = new Map([...(state?.profiles ?? [])].map(([slug, profile]) => [slug, { ...profile, content: m.eventStore.REPLACED_CONTENT }]));
      folded.set(streamId, { state: state && { ...state, profiles }, version, unread, stampUnread: false });
    }
    return folded;
  };

  /** The test's store opened read-only and folded, with a worker started on it; both closed after `use`. */
  const withWorkerOnFold = async (
    use: (
      m: Awaited<ReturnType<typeof modules>>,
      db: ReturnType<Awaited<ReturnType<typeof modules>>['sqlite']['openSqlite']>,
      folded: Awaited<ReturnType<typeof foldedStreams>>,
      aside: NonNullable<ReturnType<Awaited<ReturnType<typeof modules>>['aside']['startRegistryRowsAside']>>,
    ) => Promise<void>,
  ) => {
    const m = await modules();
    const options = storeOptions();
    const db = m.sqlite.openSqlite(options, { readonly: true });
    try {
      const folded = await foldedStreams(m, db);
      const aside = m.aside.startRegistryRowsAside(options);
      if (!aside) throw new Error('the built worker is missing: run npm run build');
      try {
        await use(m, db, folded, aside);
      } finally {
        await aside.stop();
      }
    } finally {
      await db.close();
    }
  };

  it('gives the rows the caller’s thread computes, for the registries it takes', async () => {
    await withWorkerOnFold(async (m, db, folded, aside) => {
      expect([...folded.keys()].sort()).toEqual(['lab', 'ops', 'team', 'u-mid', 'v-root']);
      const key = await m.key.readFingerprintKey(db);
      const here = await db.transaction(async (tx) => {
        const rowsOf = m.endOfFold.finalRows(tx, key, folded);
        return Promise.all([...folded.keys()].map(async (streamId) => [streamId, await rowsOf(streamId)] as const));
      });
      const shared = aside.share(folded, key, () => Promise.reject(new Error('the worker failed')));
      // ops/theta's fingerprint needs u-mid and v-root, registries of the caller's thread's share
      expect([...shared.taken]).toEqual(['lab', 'ops', 'team']);
      const fromWorker = [];
      for (let rows = shared.next(); rows; rows = shared.next()) fromWorker.push(await rows);
      const taken = here.filter(([streamId]) => shared.taken.has(streamId)).map(([, rows]) => rows);
      expect(fromWorker).toEqual(taken);
      const theta = here.find(([streamId]) => streamId === 'ops')?.[1]?.slugs.find((row) => row.slug === 'theta');
      expect(JSON.parse(theta?.document?.storedJson ?? '{}').stack).toHaveLength(1);
      const alpha = here.find(([streamId]) => streamId === 'team')?.[1]?.slugs.find((row) => row.slug === 'alpha');
      expect(JSON.parse(alpha?.document?.storedJson ?? '{}').runtime.system_prompt).toBe('edit 5');
    });
  });

  it('leaves its registries to the caller’s fallback when it fails (here: it reads another key)', async () => {
    await withWorkerOnFold(async (m, _db, folded, aside) => {
      const fellBack: string[] = [];
      const told: unknown[] = [];
      const shared = aside.share(
        folded,
        m.fingerprint.randomFingerprintKey(),
        async (streamId) => {
          fellBack.push(streamId);
          return undefined;
        },
        (error) => told.push(error),
      );
      for (let rows = shared.next(); rows; rows = shared.next()) expect(await rows).toBeUndefined();
      expect(fellBack).toEqual([...shared.taken]);
      expect(fellBack.length).toBeGreaterThan(1);
      // said once, whatever the number of registries it leaves
      expect(told.map((error) => (error as Error).message)).toEqual(["the registry rows' worker reads another fingerprint key"]);
    });
  });

  it('makes a rebuild write the same rows as a rebuild on one thread', async () => {
    const m = await modules();
    const options = storeOptions();
    const db = m.sqlite.openSqlite(options);
    const tables = ['registry_headers', 'profile_documents', 'profile_tombstones', 'profile_stack_refs'];
    const rows = async () => Promise.all(tables.map((table) => db.all(`SELECT * FROM ${table} ORDER BY 1, 2`)));
    try {
      expect(db.threadReader).toBeDefined();
      await m.rebuild.rebuildProjections(db, { rowsAside: undefined });
      const oneThread = await rows();
      expect(oneThread[1]?.length).toBeGreaterThan(1);
      await m.rebuild.rebuildProjections(db, { rowsAsideFromEvents: 0 });
      expect(await rows()).toEqual(oneThread);
      // below the threshold no worker is started: the same rows again
      await m.rebuild.rebuildProjections(db, { rowsAsideFromEvents: Number.MAX_SAFE_INTEGER });
      expect(await rows()).toEqual(oneThread);
    } finally {
      await db.close();
    }
  });
});
