import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

const context = { actor: 'tester', source: 'test', request_id: 'write-gate' };

/** What `serve --chain-check before-writes` relies on: writes wait for the chain check, reads do not. */
describeEachBackend('writes held until the start-up check settles, on %s', (backend) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(backend);
    await t.store.execute({ type: 'create_registry', registry: 'team' }, context);
  });
  afterEach(async () => t?.close());

  const registryCount = async () => Number((await t.store.db.get<{ n: number }>("SELECT count(*) AS n FROM events WHERE stream_id = 'team'"))?.n);

  it('commits a write sent during the check once the check passes, and not before', async () => {
    let pass = () => {};
    t.store.writesWaitFor(new Promise<void>((resolve) => (pass = resolve)));
    let done = false;
    const write = t.store.execute({ type: 'update_registry', registry: 'team', display_name: 'Team' }, context).then((outcome) => {
      done = true;
      return outcome;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false);
    expect(await registryCount()).toBe(1);
    pass();
    expect((await write).events.map((event) => event.type)).toEqual(['registry.updated']);
    expect(await registryCount()).toBe(2);
  });

  it('refuses a write sent during a check that finds a break, and writes nothing', async () => {
    let fail = () => {};
    t.store.writesWaitFor(
      new Promise<void>((resolve) => {
        fail = () => {
          t.store.readOnly = 'read-only: the event log failed verification (event at position 1); every write is refused';
          resolve();
        };
      }),
    );
    const write = t.store.execute({ type: 'update_registry', registry: 'team', display_name: 'Team' }, context);
    fail();
    await expect(write).rejects.toMatchObject({ code: 'read_only', message: expect.stringContaining('failed verification') });
    expect(await registryCount()).toBe(1);
  });
});
