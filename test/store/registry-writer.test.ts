import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import type { StoredEvent } from '../../src/events/event-types.js';
import { openDatabase } from '../../src/events/open-database.js';
import { readIdempotentResponse } from '../../src/projections/idempotency-store.js';
import { readProfileDocument } from '../../src/projections/read-model.js';
import { createRegistryStore, type RegistryStore } from '../../src/use-cases/registry-store.js';
import { writeInThread } from '../../src/use-cases/registry-writer.js';
import { seedDefaultRegistry } from '../../src/use-cases/seed-default-registry.js';
import { BUILT_WRITER_THREAD, tempDir } from '../support/test-store.js';

const context = { actor: 'tester', source: 'test', request_id: 'r1' };
const edit = (description: string, expected_version?: number) =>
  ({ type: 'update_profile', registry: 'default', slug: 'default', fields: { description }, expected_version }) as const;

describe('writes on the writer thread (serve --writer thread)', () => {
  const dir = tempDir();
  let store: RegistryStore;
  beforeEach(async () => {
    if (!existsSync(fileURLToPath(BUILT_WRITER_THREAD))) throw new Error('run `npm run build` first: the writer thread runs the built script');
    const path = join(dir.dir, `profiles-${Date.now()}.db`);
    store = writeInThread(await createRegistryStore(openDatabase({ path })), { location: { path }, options: {}, threadUrl: BUILT_WRITER_THREAD });
    await seedDefaultRegistry(store);
  });
  afterEach(async () => store.close());

  it('answers with the written document, readable at once on this thread, and tells onCommit first', async () => {
    const heard: string[] = [];
    store.bus.onCommit((events: StoredEvent[]) => heard.push(...events.map((event) => `${event.type}@${event.position}`)));
    const outcome = await store.execute(edit('on the thread'), context);
    expect(heard).toEqual([`profile.updated@${outcome.events[0]!.position}`]);
    expect(outcome.events.map((event) => event.metadata.actor)).toEqual(['tester']);
    expect(JSON.parse(outcome.rendered.document!.json)).toMatchObject({ description: 'on the thread', metadata: { version: 2 } });
    const read = await readProfileDocument(store.db, 'default', 'default');
    expect(read?.version).toBe(2);
  });

  it('refuses as the store would: the same error class, code and current version', async () => {
    const refused = await store.execute(edit('stale', 7), context).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'version_conflict', currentVersion: 1 });
    const missing = await store.execute({ type: 'delete_profile', registry: 'default', slug: 'ghost' }, context).catch((error: unknown) => error);
    expect(missing).toMatchObject({ code: 'not_found' });
    expect((await readProfileDocument(store.db, 'default', 'default'))?.version).toBe(1);
  });

  it('records a keyed write’s answer in the write’s own transaction', async () => {
    const keyed = { key: 'k-1', hash: 'h-1', nowMs: Date.now(), notBeforeMs: 0, purge: false };
    await store.execute(edit('keyed'), context, { ...keyed, answer: (rendered) => ({ status: 200, body: rendered.document!.json }) });
    const stored = await readIdempotentResponse(store.db, 'k-1', 0);
    expect(stored).toMatchObject({ request_hash: 'h-1', status: 200 });
    expect(JSON.parse(stored!.body)).toMatchObject({ description: 'keyed' });
    // the key is taken: the same key again appends nothing
    await expect(store.execute(edit('again'), context, { ...keyed, answer: () => ({ status: 200 }) })).rejects.toThrow();
    expect((await readProfileDocument(store.db, 'default', 'default'))?.version).toBe(2);
  });

  it('runs a unit whole or not at all, and a dry run without a trace', async () => {
    const unit = [edit('first of the unit'), { type: 'delete_profile', registry: 'default', slug: 'ghost' } as const];
    await expect(store.executeAll(unit, context)).rejects.toMatchObject({ code: 'not_found' });
    expect((await readProfileDocument(store.db, 'default', 'default'))?.version).toBe(1);
    const judgement = await store.judge(edit('judged only'), context);
    expect(judgement.after?.profiles.get('default')?.content.description).toBe('judged only');
    expect(judgement.before?.profiles.get('default')?.version).toBe(1);
    expect((await readProfileDocument(store.db, 'default', 'default'))?.version).toBe(1);
  });

  it('refuses every write once closed', async () => {
    await store.close();
    await expect(store.execute(edit('after close'), context)).rejects.toThrow();
  });
});
