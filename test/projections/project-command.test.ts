import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import type { AffectedProfile } from '../../src/events/change-feed.js';
import { foldEvents } from '../../src/events/evolve.js';
import { describeEachWriteSide, type WriteSideUnderTest } from '../support/write-sides.js';

const context = { actor: 'test', source: 'test', request_id: 'r' };
const inference = (maxTokens: number) => ({ runtime: { middlewares: [{ name: 'inference', config: { max_tokens: maxTokens } }] } });

const refusalOf = async (outcome: Promise<unknown>): Promise<DomainError> => {
  const error = await outcome.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (error instanceof DomainError) return error;
  throw new Error(`not refused by the decider: ${String(error)}`);
};

describeEachWriteSide('the projector, writing what each command changed, on %s', (open) => {
  let w: WriteSideUnderTest;
  const execute = (command: Parameters<WriteSideUnderTest['bus']['execute']>[0]) => w.bus.execute(command, context);
  const fingerprints = async () => ({
    core: await w.projections.storedFingerprint('base', 'core'),
    helper: await w.projections.storedFingerprint('base', 'helper'),
    writer: await w.projections.storedFingerprint('team', 'writer'),
  });

  const openWith = async (options: { snapshotEvery?: number } = {}) => {
    w = await open(options);
    await execute({ type: 'create_registry', registry: 'base' });
    await execute({ type: 'create_registry', registry: 'team' });
    await execute({ type: 'create_profile', registry: 'base', slug: 'core', fields: { runtime: { system_prompt: 'v1' } } });
    await execute({ type: 'create_profile', registry: 'base', slug: 'helper', fields: { stack: [{ profile_slug: 'core' }] } });
    await execute({
      type: 'create_profile',
      registry: 'team',
      slug: 'writer',
      fields: { stack: [{ registry_slug: 'base', profile_slug: 'core' }] },
    });
  };
  afterEach(async () => w?.close());

  describe('with the default snapshot interval', () => {
    beforeEach(() => openWith());

    it('indexes stack dependents across registries and rewrites their documents when what they stack on changes', async () => {
      expect(await w.projections.stackDependents('base', 'core')).toEqual([
        { registry: 'base', profile: 'helper' },
        { registry: 'team', profile: 'writer' },
      ]);
      const before = await fingerprints();
      const heard = new Map<number, AffectedProfile[]>();
      const stop = w.bus.onCommit((_events, affected) => affected.forEach((profiles, position) => heard.set(position, profiles)));
      const updated = await execute({ type: 'update_profile', registry: 'base', slug: 'core', fields: { runtime: { system_prompt: 'v2' } } });
      stop();
      const after = await fingerprints();
      expect(updated.rendered.document).toMatchObject({ registry: 'base', version: 2, fingerprint: after.core });
      for (const slug of ['core', 'helper', 'writer'] as const) expect(after[slug]).not.toBe(before[slug]);
      expect(heard.get(updated.events[0].position)).toEqual([
        { registry: 'base', profile: 'core', profile_version: 2, fingerprint: after.core },
        { registry: 'base', profile: 'helper', profile_version: 1, fingerprint: after.helper },
        { registry: 'team', profile: 'writer', profile_version: 1, fingerprint: after.writer },
      ]);
    });

    it('removes a deleted profile’s document and its entries in the dependents index; refuses deleting one still stacked on', async () => {
      await execute({ type: 'delete_profile', registry: 'team', slug: 'writer' });
      expect(await w.projections.storedFingerprint('team', 'writer')).toBeNull();
      expect(await w.projections.stackDependents('base', 'core')).toEqual([{ registry: 'base', profile: 'helper' }]);
      const refused = await refusalOf(execute({ type: 'delete_profile', registry: 'base', slug: 'core' }));
      expect(refused.code).toBe('profile_in_use');
      expect(await w.projections.storedFingerprint('base', 'core')).toEqual(expect.any(String));
    });

    it('judges a schema change by the stored profiles that use it', async () => {
      const schema = (limits: object) => ({ name: 'inference', version: 1, schema: limits });
      await w.bus.execute({ type: 'put_schema', kind: 'middleware', name: 'inference', document: schema({}) }, context);
      await execute({ type: 'create_profile', registry: 'team', slug: 'analyst', fields: inference(50) });
      const tighter = schema({ type: 'object', properties: { max_tokens: { type: 'integer', maximum: 10 } } });
      const refused = await refusalOf(w.bus.execute({ type: 'put_schema', kind: 'middleware', name: 'inference', document: tighter }, context));
      expect(refused.code).toBe('schema_in_use');
      expect(refused.profiles?.map((broken) => `${broken.registry}/${broken.slug}`)).toEqual(['team/analyst']);
    });
  });

  describe('with a snapshot every few events', () => {
    beforeEach(() => openWith({ snapshotEvery: 3 }));

    it('takes snapshots equal to the fold of the events up to them, and goes on from one after forgetting its cache', async () => {
      for (const prompt of ['v2', 'v3', 'v4']) {
        await execute({ type: 'update_profile', registry: 'base', slug: 'core', fields: { runtime: { system_prompt: prompt } } });
      }
      const taken = await w.projections.snapshots.lastVersion('base');
      expect(taken).toBeGreaterThanOrEqual(3);
      const snapshot = await w.projections.snapshots.nearest('base');
      expect(snapshot).toEqual(foldEvents(await w.events.readStream('base', { toVersion: taken }), 'base'));
      w.bus.invalidate();
      const next = await execute({ type: 'update_profile', registry: 'base', slug: 'core', fields: { runtime: { system_prompt: 'v5' } } });
      expect(next.rendered.document?.version).toBe(5);
      expect(next.events[0].stream_version).toBe((await w.events.streamHead('base')).version);
    });
  });
});
