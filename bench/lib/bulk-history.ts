import type { Command } from '../../src/events/commands.js';
import { decide, localDecideContext } from '../../src/events/decide.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent } from '../../src/events/event-types.js';
import { evolve } from '../../src/events/evolve.js';
import { openDatabase } from '../../src/events/open-database.js';
import type { RegistryState } from '../../src/events/registry-state.js';
import { ensureSchema } from '../../src/projections/schema-setup.js';
import { profileBodies, type ProfileBody } from './generate-data.js';

/**
 * Writes a large history straight through decide → evolve → the EventStore's appendToStream (the write path's
 * own functions, one transaction per registry), without projecting each write: the benchmark's
 * rebuild then makes the projections. Filling 1,000,000 events over HTTP would take most of an
 * hour on a 2-core machine; what is measured afterwards is the store, not how it was filled.
 */
export const writeBulkHistory = async (options: {
  dbPath: string;
  profiles: number;
  registries: number;
  events: number;
  log: (message: string) => void;
}): Promise<{ events: number; defaultSlugs: string[] }> => {
  const db = openDatabase({ path: options.dbPath });
  await ensureSchema(db);
  const byRegistry = new Map<string, ProfileBody[]>();
  for (const body of profileBodies(options.profiles, options.registries, { seed: 'large', size: 'medium' })) {
    const list = byRegistry.get(body.registry) ?? [];
    list.push(body);
    byRegistry.set(body.registry, list);
  }
  const editsPerRegistry = Math.max(0, Math.ceil((options.events - options.profiles - options.registries * 2) / byRegistry.size));
  let total = 0;
  let at = 0;
  for (const [registry, bodies] of byRegistry) {
    let state: RegistryState | undefined;
    const events: DomainEvent[] = [];
    const apply = (command: Command, occurredAt: number) => {
      for (const body of decide(state, command, localDecideContext(state))) {
        const event = {
          ...body,
          schema_version: CURRENT_SCHEMA_VERSION[body.type],
          metadata: { actor: 'bench', source: 'bench', request_id: 'bulk', occurred_at_ms: occurredAt },
        } as DomainEvent;
        state = evolve(state, event, registry);
        events.push(event);
      }
    };
    const start = 1_771_880_000_000 + at * 1_000_000;
    apply({ type: 'create_registry', registry }, start);
    for (const { registry: _registry, slug, set_default, ...fields } of bodies) {
      apply({ type: 'create_profile', registry, slug, fields, set_default }, start + 1);
    }
    for (let edit = 0; edit < editsPerRegistry; edit++) {
      const body = bodies[edit % bodies.length] as ProfileBody;
      apply({ type: 'update_profile', registry, slug: body.slug, fields: { description: `revision ${edit}` } }, start + 2 + edit);
    }
    await db.transaction((tx) => tx.events.appendToStream(registry, 0, events));
    total += events.length;
    at += 1;
    if (at % 100 === 0) options.log(`bulk history: ${at} registries, ${total.toLocaleString('en-US')} events`);
  }
  await db.close();
  const defaultSlugs = (byRegistry.get('default') ?? []).map((body) => body.slug);
  return { events: total, defaultSlugs };
};
