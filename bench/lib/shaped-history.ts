import type { Command } from '../../src/events/commands.js';
import { decide, type DecideContext } from '../../src/events/decide.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent } from '../../src/events/event-types.js';
import { evolve } from '../../src/events/evolve.js';
import { openDatabase, type DatabaseLocation } from '../../src/events/open-database.js';
import { resolvePostgresSchema } from '../../src/events/postgres/postgres-schema.js';
import type { SqlDatabase } from '../../src/events/sql-database.js';
import type { RegistryState } from '../../src/events/registry-state.js';
import { sealingEvents } from '../../src/events/event-seals.js';
import { ensureSchema } from '../../src/projections/schema-setup.js';
import { sealOf } from '../../src/domain/row-seal.js';
import { profileBody, registrySlugs } from './generate-data.js';

/** The shape of issue 29's stores: 20 registries of up to 500 profiles, 5 % stacked, 90 % of edits on the hot 1 %. */
export const SHAPE = { registries: 20, profilesPerRegistry: 500, stackedShare: 0.05, hotShare: 0.9, hotFraction: 0.01 } as const;

export interface ProfileRef {
  registry: string;
  slug: string;
}

export interface ShapedHistory {
  events: number;
  profiles: number;
  /** The most edited profile, one that stacks on another registry's profile, and one edited once at most beyond its creation. */
  hot: ProfileRef;
  stacked: ProfileRef;
  cold: ProfileRef;
  /** How many versions each of those has. */
  versions: { hot: number; stacked: number; cold: number };
}

/** A deterministic PRNG (mulberry32): the same store for the same event count. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Events held before they are written, all registries' in one transaction: more held long enough to leave V8's young generation made GC most of the run. */
const FLUSH_EVENTS = 4000;

type Runtime = { step_settings_patch?: Record<string, Record<string, unknown>> } & Record<string, unknown>;

/** Edit number `serial` of a profile: one field, bounded in size however often the profile is edited. */
const editFields = (state: RegistryState, slug: string, serial: number): Command & { type: 'update_profile' } => {
  const content = state.profiles.get(slug)!.content;
  const registry = state.slug;
  switch (serial % 4) {
    case 0:
      return { type: 'update_profile', registry, slug, fields: { description: `revision ${serial}` } };
    case 1: {
      const runtime = content.runtime as Runtime;
      const chat = runtime.step_settings_patch?.['ai-chat'] ?? {};
      const temperature = (serial % 10) / 10;
      const patch = { ...runtime.step_settings_patch, 'ai-chat': { ...chat, 'ai-temperature': temperature } };
      return { type: 'update_profile', registry, slug, fields: { runtime: { ...runtime, step_settings_patch: patch } as never } };
    }
    case 2:
      return { type: 'update_profile', registry, slug, fields: { metadata: { tags: [...content.tags.slice(0, 3), `rev-${serial}`] } } };
    default:
      return { type: 'update_profile', registry, slug, fields: { display_name: `Profile ${slug} rev ${serial}` } };
  }
};

/**
 * Writes a store of `events` events in issue 29's shape straight through decide → evolve → the
 * EventStore's appendToStream (the write path's own functions, a transaction per 4,000 events of
 * all registries), without projecting: a rebuild makes the projections. 20 registries of 500 profiles
 * (fewer when the event count cannot hold 10,000 creations: half the events are creations then),
 * 5 % of the profiles (picked at random) stacking on the default profile of `default`, and 90 % of the edits on the
 * first 1 % of each registry's profiles (the rest spread evenly over all of them).
 */
export const writeShapedHistory = async (options: { location: DatabaseLocation; events: number; log?: (message: string) => void }): Promise<ShapedHistory> => {
  const log = options.log ?? (() => undefined);
  const registries = registrySlugs(SHAPE.registries);
  const perRegistry = Math.max(2, Math.min(SHAPE.profilesPerRegistry, Math.floor(options.events / 2 / registries.length)));
  const profiles = perRegistry * registries.length;
  const db = await openEmptyStore(options.location);
  const states = new Map<string, RegistryState | undefined>();
  const pending = new Map<string, DomainEvent[]>();
  const written = new Map<string, number>();
  const context: DecideContext = {
    lookupProfile: (registry, slug) => states.get(registry)?.profiles.get(slug)?.content,
    dependentsOf: () => [],
  };
  let total = 0;
  let clock = 1_771_880_000_000;

  // sealed as the server seals its appends (no keys: SHA-256), so verify finds every event's seal
  const sealed = sealingEvents(db, (value) => sealOf(undefined, value));
  let held = 0;
  const flush = async () => {
    await sealed.transaction(async (tx) => {
      for (const [registry, events] of pending) {
        const expected = written.get(registry) ?? 0;
        await tx.events.appendToStream(registry, expected, events);
        written.set(registry, expected + events.length);
      }
    });
    pending.clear();
    held = 0;
  };
  const apply = async (command: Command) => {
    const registry = command.registry;
    let state = states.get(registry);
    clock += 7;
    for (const body of decide(state, command, context)) {
      const event = {
        ...body,
        schema_version: CURRENT_SCHEMA_VERSION[body.type],
        metadata: { actor: 'bench', source: 'bench', request_id: 'shaped', occurred_at_ms: clock },
      } as DomainEvent;
      state = evolve(state, event, registry);
      const queue = pending.get(registry) ?? [];
      queue.push(event);
      pending.set(registry, queue);
      total += 1;
      held += 1;
    }
    states.set(registry, state);
    if (held >= FLUSH_EVENTS) await flush();
  };

  const slugsOf = new Map<string, string[]>();
  for (const registry of registries) await apply({ type: 'create_registry', registry });
  const base = profileBody(0, registries.length, { seed: 'shaped' });
  for (let index = 0; index < profiles; index++) {
    const { registry, slug, set_default, ...fields } = profileBody(index, registries.length, { seed: 'shaped' });
    const stacked = index > 0 && seeded(index)() < SHAPE.stackedShare;
    const stack = stacked ? [{ registry_slug: base.registry, profile_slug: base.slug }] : undefined;
    await apply({ type: 'create_profile', registry, slug, fields: { ...fields, ...(stack ? { stack } : {}) }, set_default });
    slugsOf.set(registry, [...(slugsOf.get(registry) ?? []), slug]);
  }
  log(`shaped history: ${registries.length} registries, ${profiles.toLocaleString('en-US')} profiles`);

  const hotPerRegistry = Math.max(1, Math.round(perRegistry * SHAPE.hotFraction));
  const random = seeded(options.events);
  // an edit that changes nothing (a temperature it already has) writes no event: count events
  for (let serial = 0; total < options.events; serial++) {
    const registry = registries[Math.floor(random() * registries.length)]!;
    const slugs = slugsOf.get(registry)!;
    // the hot profiles are each registry's first ones; the stacked base (default's first) among them
    const at = random() < SHAPE.hotShare ? Math.floor(random() * hotPerRegistry) : Math.floor(random() * slugs.length);
    await apply(editFields(states.get(registry)!, slugs[at]!, serial));
    if (serial % 100_000 === 99_999) log(`shaped history: ${total.toLocaleString('en-US')} events`);
  }
  await flush();
  // autovacuum may be off (the test server's is): without statistics the planner expects one row of
  // a profile and sorts all 8,898 of the hot one's versions for a history page (650 ms at 1M events)
  if (options.location.dsn) await db.exec('ANALYZE events');
  await db.close();

  const versionOf = (ref: ProfileRef) => states.get(ref.registry)!.profiles.get(ref.slug)!.version;
  const hot = { registry: registries[1]!, slug: slugsOf.get(registries[1]!)![0]! };
  const stackedSlugs = slugsOf.get(registries[2]!)!;
  const stacked = { registry: registries[2]!, slug: stackedSlugs[findStacked(stackedSlugs, states.get(registries[2]!)!, hotPerRegistry)]! };
  const coldSlugs = slugsOf.get(registries[3]!)!;
  const cold = { registry: registries[3]!, slug: coldSlugs[coldSlugs.length - 1]! };
  return {
    events: total,
    profiles,
    hot,
    stacked,
    cold,
    versions: { hot: versionOf(hot), stacked: versionOf(stacked), cold: versionOf(cold) },
  };
};

/** Opens the new store's database (a PostgreSQL schema is created if missing) and refuses one that holds events already. */
const openEmptyStore = async (location: DatabaseLocation): Promise<SqlDatabase> => {
  const schema = location.dsn ? await resolvePostgresSchema(location.dsn, { requested: location.schema, mayCreate: true }) : undefined;
  // no statement timeout: the ANALYZE of a 1M-event store outlasted the server's 10 s on a loaded machine
  const db = openDatabase({ ...location, schema, postgres: { statementTimeoutMs: 0 } });
  await ensureSchema(db);
  const held = Number((await db.get<{ n: number | string }>('SELECT count(*) AS n FROM events'))?.n ?? 0);
  if (held > 0) {
    await db.close();
    throw new Error(`${db.location} holds ${held} events already: the shaped history needs an empty store`);
  }
  return db;
};

/** The position of the first profile of a registry past the hot ones whose stack names another profile. */
const findStacked = (slugs: string[], state: RegistryState, from: number): number => {
  const at = slugs.findIndex((slug, index) => index >= from && (state.profiles.get(slug)?.content.stack.length ?? 0) > 0);
  return at < 0 ? 0 : at;
};
