import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { openTestApp, type TestApp } from '../support/test-store.js';

/**
 * A runtime rebuilds when a fingerprint moves: every fingerprint the store hands out about the past
 * (history, `?version=N`, the change feed) must be the one a resolve answered right after that
 * write. The oracle here is the live resolve itself, recorded after every write.
 */

interface Seen {
  version: number;
  fingerprint: string;
}
/** What a fresh resolve answered right after one write. */
interface Snapshot {
  position: number;
  profiles: Map<string, Seen>;
  defaults: Map<string, { profile: string; fingerprint: string }>;
}

const PROFILES = [
  ['shared', 'base'],
  ['team', 'mid'],
  ['team', 'leaf'],
  ['shared', 'solo'],
] as const;

type Edit =
  | { kind: 'prompt'; target: number; text: string }
  | { kind: 'tools'; target: number; tools: string[] }
  | { kind: 'rename'; target: number; name: string }
  | { kind: 'default'; target: number }
  | { kind: 'restack'; leafOnBase: boolean };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('prompt' as const), target: fc.nat(3), text: fc.constantFrom('a', 'b', 'c', '') }),
  fc.record({ kind: fc.constant('tools' as const), target: fc.nat(3), tools: fc.subarray(['search', 'calc', 'fetch']) }),
  fc.record({ kind: fc.constant('rename' as const), target: fc.nat(3), name: fc.constantFrom('One', 'Two') }),
  fc.record({ kind: fc.constant('default' as const), target: fc.nat(3) }),
  fc.record({ kind: fc.constant('restack' as const), leafOnBase: fc.boolean() }),
);

describeEachBackend('rebuild signals of stacked profiles across registries on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    // one instant for every event: the past must be told apart by position, not by time
    t = await openTestApp(backend, { now: () => 1_771_880_000_000 });
  });
  afterAll(async () => t?.close());

  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const response = await t.app.inject({ method, url, payload });
    return { status: response.statusCode, json: response.body === '' ? undefined : response.json() };
  };
  const head = async () => t.store.db.events.lastPosition();

  it('gives in history, ?version=N and the feed the fingerprint a resolve gave right after that write', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 10 }), async (edits) => {
        run += 1;
        const registry = (name: string) => `${name}-${run}`;
        const start = await head();
        const snapshots: Snapshot[] = [];
        let existing = 0;
        const observe = async () => {
          const profiles = new Map<string, Seen>();
          for (const [reg, slug] of PROFILES.slice(0, existing)) {
            const resolved = await call('GET', `/api/chat/resolve/${slug}?registry=${registry(reg)}`);
            expect(resolved.status).toBe(200);
            profiles.set(`${registry(reg)}/${slug}`, { version: resolved.json.profile_version, fingerprint: resolved.json.fingerprint });
          }
          const defaults = new Map<string, { profile: string; fingerprint: string }>();
          for (const reg of ['shared', 'team']) {
            const resolved = await call('GET', `/api/chat/resolve?registry=${registry(reg)}`);
            if (resolved.status === 404) continue; // no profile yet
            defaults.set(registry(reg), { profile: resolved.json.profile, fingerprint: resolved.json.fingerprint });
          }
          snapshots.push({ position: await head(), profiles, defaults });
        };

        for (const reg of ['shared', 'team']) expect((await call('POST', '/api/registries', { slug: registry(reg) })).status).toBe(201);
        const stacks: Record<string, object[]> = {
          base: [],
          mid: [{ registry_slug: registry('shared'), profile_slug: 'base' }],
          leaf: [{ profile_slug: 'mid' }],
          solo: [],
        };
        for (const [reg, slug] of PROFILES) {
          const created = await call('POST', '/api/chat/profiles', {
            registry: registry(reg),
            slug,
            runtime: { system_prompt: `${slug} prompt`, tools: [slug] },
            stack: stacks[slug],
          });
          expect(created.status).toBe(201);
          existing += 1;
          await observe();
        }
        for (const step of edits) {
          const [reg, slug] = PROFILES[step.kind === 'restack' ? 2 : step.target];
          const url = `/api/chat/profiles/${slug}?registry=${registry(reg)}`;
          const answer =
            step.kind === 'prompt'
              ? await call('PATCH', url, { runtime: { system_prompt: step.text, tools: [slug] } })
              : step.kind === 'tools'
                ? await call('PATCH', url, { runtime: { system_prompt: `${slug} prompt`, tools: step.tools } })
                : step.kind === 'rename'
                  ? await call('PATCH', url, { display_name: step.name })
                  : step.kind === 'default'
                    ? await call('POST', `/api/chat/profiles/${slug}/default`, { registry: registry(reg) })
                    : await call('PATCH', url, {
                        stack: step.leafOnBase ? [{ registry_slug: registry('shared'), profile_slug: 'base' }] : [{ profile_slug: 'mid' }],
                      });
          expect(answer.status).toBe(200);
          await observe();
        }

        // the snapshot taken right after the write that reached `position`
        const after = (position: number) => snapshots.find((snapshot) => snapshot.position >= position) as Snapshot;

        for (const [reg, slug] of PROFILES) {
          const key = `${registry(reg)}/${slug}`;
          const history = await call('GET', `/api/chat/profiles/${slug}/history?registry=${registry(reg)}`);
          expect(history.status).toBe(200);
          for (const entry of history.json.versions as { version: number; fingerprint: string }[]) {
            const then = snapshots.find((snapshot) => snapshot.profiles.get(key)?.version === entry.version) as Snapshot;
            expect(entry.fingerprint, `${key} v${entry.version} in history`).toBe(then.profiles.get(key)?.fingerprint);
            const past = await call('GET', `/api/chat/profiles/${slug}?registry=${registry(reg)}&version=${entry.version}`);
            expect(past.json.fingerprint, `${key} GET ?version=${entry.version}`).toBe(entry.fingerprint);
          }
        }

        const polled = await t.app.inject({ method: 'GET', url: `/api/watch?after=${start}`, headers: { accept: 'application/json' } });
        expect(polled.statusCode).toBe(200);
        const changes = polled.json().changes as { position: number; type: string; registry: string; affected: Record<string, unknown>[] }[];
        expect(changes.length).toBeGreaterThan(0);
        for (const change of changes) {
          const then = after(change.position);
          for (const entry of change.affected) {
            const key = `${entry.registry}/${entry.profile}`;
            if (entry.default === true) {
              expect(then.defaults.get(entry.registry as string), `default switch at ${change.position}`).toEqual({
                profile: entry.profile,
                fingerprint: entry.fingerprint,
              });
            }
            expect({ version: entry.profile_version, fingerprint: entry.fingerprint }, `${key} at ${change.position}`).toEqual(
              then.profiles.get(key),
            );
          }
          if (change.type === 'registry.default_profile_changed') {
            expect(change.affected.filter((entry) => entry.default === true)).toHaveLength(1);
          }
        }
        // every fingerprint move a resolve saw was announced by the feed, for that profile
        for (let i = 1; i < snapshots.length; i++) {
          for (const [key, seen] of snapshots[i].profiles) {
            if (seen.fingerprint === snapshots[i - 1].profiles.get(key)?.fingerprint) continue;
            const announced = changes.some(
              (change) =>
                change.position > snapshots[i - 1].position &&
                change.position <= snapshots[i].position &&
                change.affected.some((entry) => `${entry.registry}/${entry.profile}` === key && entry.fingerprint === seen.fingerprint),
            );
            expect(announced, `${key} moved by the write ending at ${snapshots[i].position}`).toBe(true);
          }
        }
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
