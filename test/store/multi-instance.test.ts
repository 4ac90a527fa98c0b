import { afterAll, beforeAll, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import type { RegistryStore } from '../../src/use-cases/registry-store.js';
import { describeEachBackend } from '../support/backends.js';
import { type TestStore, buildTestApp } from '../support/test-store.js';
import { actorContext as context, openTwoInstances } from '../support/two-instances.js';

/** Two instances (two stores, each with its own cache and connections) on one database. */
describeEachBackend('two instances on one %s database', (backend) => {
  let t: TestStore;
  let first: RegistryStore;
  let second: RegistryStore;
  beforeAll(async () => {
    ({ t, first, second } = await openTwoInstances(backend));
    await first.execute({ type: 'create_registry', registry: 'shared' }, context('setup'));
    await first.execute(
      { type: 'create_profile', registry: 'shared', slug: 'p', fields: { description: 'v1' } },
      context('setup'),
    );
  });
  afterAll(async () => t?.close());

  it('sees each other\'s writes and refuses a stale expected version on either side', async () => {
    await second.execute(
      { type: 'update_profile', registry: 'shared', slug: 'p', fields: { description: 'v2' }, expected_version: 1 },
      context('second'),
    );
    const stale = await first
      .execute({ type: 'update_profile', registry: 'shared', slug: 'p', fields: { description: 'v3' }, expected_version: 1 }, context('first'))
      .catch((error: unknown) => error);
    expect(isDomainError(stale) && stale.message).toBe('profile "p" version conflict: expected=1 actual=2');
    const outcome = await first.execute(
      { type: 'update_profile', registry: 'shared', slug: 'p', fields: { description: 'v3' }, expected_version: 2 },
      context('first'),
    );
    expect(outcome.rendered.document?.version).toBe(3);
  });

  it('never serves a read cached from before the other instance wrote', async () => {
    const app = await buildTestApp({ store: first });
    const url = '/api/chat/profiles/p?registry=shared';
    const cachedVersion = (await app.inject({ method: 'GET', url })).json().metadata.version;
    expect((await app.inject({ method: 'GET', url })).json().metadata.version).toBe(cachedVersion);
    await second.execute({ type: 'update_profile', registry: 'shared', slug: 'p', fields: { description: 'from second' } }, context('second'));
    const fresh = (await app.inject({ method: 'GET', url })).json();
    expect(fresh).toMatchObject({ description: 'from second', metadata: { version: cachedVersion + 1 } });
    const list = (await app.inject({ method: 'GET', url: '/api/chat/profiles?registry=shared' })).json();
    expect(list[0].version).toBe(cachedVersion + 1);
    await app.close();
  });

  it('interleaves concurrent writes from both without a version gap or a lost write', async () => {
    const writes = Array.from({ length: 40 }, (_, index) =>
      (index % 2 === 0 ? first : second).execute(
        { type: 'update_profile', registry: 'shared', slug: 'p', fields: { description: `w${index}` } },
        context(index % 2 === 0 ? 'first' : 'second'),
      ),
    );
    const results = await Promise.all(writes);
    const versions = results.map((result) => result.rendered.document?.version).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(versions).toEqual(Array.from({ length: 40 }, (_, index) => index + 5));
    const events = await first.db.all<{ stream_version: number }>(
      "SELECT stream_version FROM events WHERE stream_id = 'shared' ORDER BY stream_version",
    );
    expect(events.map((event) => Number(event.stream_version))).toEqual(events.map((_, index) => index + 1));
    const app = await buildTestApp({ store: second });
    const read = await app.inject({ method: 'GET', url: '/api/chat/profiles/p?registry=shared' });
    expect(read.json().metadata.version).toBe(44);
    await app.close();
  });
});
