import type { ProfileLookup } from '../domain/stack-merge.js';
import type { SchemaKind } from '../domain/schema-documents.js';
import type { Command, SchemaCommand } from './commands.js';
import { decide } from './decide.js';
import { decideSchema, type ProfileUsingSchema } from './decide-schema.js';
import { CURRENT_SCHEMA_VERSION, eventProfile, type DomainEvent, type EventBody, type EventCause, type EventMetadata, type StoredEvent } from './event-types.js';
import { startFold } from './evolve.js';
import { needs } from './needs.js';
import { loadReachableStates, lookupInStates, stackedRegistries } from './profile-lookup.js';
import type { RegistryState } from './registry-state.js';
import { evolveSchemas, SCHEMA_STREAM, schemaLookupOf, type SchemaState } from './schema-state.js';
import type { StateCache, UnitChanges } from './state-cache.js';
import { touchedProfiles } from './touched-profiles.js';
import type { WriteTransaction } from './write-transaction.js';

export interface CommandContext {
  actor: string;
  source: string;
  request_id: string;
  /** Whom an admin said it acts for (`X-Actor` with auth on); recorded beside the real actor. */
  on_behalf_of?: string;
  /**
   * The registries the writer may read (absent: all). A stack may name only those: to the decision,
   * a profile elsewhere is missing, so the refusal is the same whether it exists or not.
   */
  readable?: ReadonlySet<string>;
  /** Why the command was sent, when it is more than an edit (a restore, an import): recorded in each event's metadata. */
  cause?: EventMetadata['cause'];
  /** An import's source version of each profile, by `registry/slug`: recorded in the cause of that profile's events. */
  source_versions?: ReadonlyMap<string, number>;
}

/** The cause recorded on one event: an import's names the source version of the event's profile, when known. */
const causeOf = (context: CommandContext, registry: string, body: EventBody): EventCause | undefined => {
  const cause = context.cause;
  if (cause?.type !== 'import' || context.source_versions === undefined || !body.type.startsWith('profile.')) return cause;
  const profile = eventProfile(body);
  const sourceVersion = profile === undefined ? undefined : context.source_versions.get(`${registry}/${profile}`);
  return sourceVersion === undefined ? cause : { ...cause, source_version: sourceVersion };
};

/** Registries other than the command's own, loaded through the state cache (stacks cross registries). */
export interface StateAccess {
  /** Loads every registry reachable from these through stack refs. */
  loadReachable(registries: Iterable<string>): Promise<void>;
  /** A registry loaded by this command (or undefined). */
  loaded(registry: string): RegistryState | undefined;
  lookupProfile: ProfileLookup;
}

/** What the runner reads through the transaction besides the event log: the indexes a decision consults. */
export interface DecisionIndexes<Tx extends WriteTransaction> {
  /** `registry/slug` of the live profiles whose stack names this profile. */
  readStackDependents(tx: Tx, registry: string, slug: string): Promise<string[]>;
  /** Profiles that may name schema `name` of `kind` (a superset is fine: their content is read from their registries' states). */
  readSchemaUsers(tx: Tx, kind: SchemaKind, name: string): Promise<{ registry: string; profile: string }[]>;
}

/** A registry command, judged: the state it was judged on, its events (stamped, not yet stored) and the state they lead to. */
export interface DecidedCommand {
  before: RegistryState | undefined;
  after: RegistryState | undefined;
  events: DomainEvent[];
  /** The profiles each event touched, by event index. */
  touchedByEvent: string[][];
  access: StateAccess;
}

/** Stamps decided event bodies with their schema version and the command's metadata. */
export const stampEvents = (bodies: readonly EventBody[], context: CommandContext, occurredAt: number, stream: string): DomainEvent[] =>
  bodies.map((body) => {
    const cause = causeOf(context, stream, body);
    return {
        ...body,
        schema_version: CURRENT_SCHEMA_VERSION[body.type],
        metadata: {
          actor: context.actor,
          ...(context.on_behalf_of === undefined ? {} : { on_behalf_of: context.on_behalf_of }),
          source: context.source,
          request_id: context.request_id,
          occurred_at_ms: occurredAt,
          ...(cause === undefined ? {} : { cause }),
        },
      } as DomainEvent;
  });

export interface RunnerDeps<Tx extends WriteTransaction> {
  cache: StateCache<Tx>;
  indexes: DecisionIndexes<Tx>;
  now: () => number;
}

const stateAccess = <Tx extends WriteTransaction>(deps: RunnerDeps<Tx>, tx: Tx, unit: UnitChanges): StateAccess & { set(registry: string, state: RegistryState): void } => {
  const loaded = new Map<string, RegistryState | undefined>();
  return {
    set: (registry, state) => loaded.set(registry, state),
    loadReachable: (registries) => loadReachableStates(registries, loaded, (registry) => deps.cache.registry(tx, unit, registry)),
    loaded: (registry) => loaded.get(registry),
    lookupProfile: lookupInStates(loaded),
  };
};

/** Folds a command's events onto the state it was judged on, noting which profiles each touched. */
const foldDecided = (before: RegistryState | undefined, registry: string, events: readonly DomainEvent[]) => {
  const fold = startFold(before, registry);
  const touchedByEvent: string[][] = [];
  for (const event of events) {
    touchedByEvent.push(touchedProfiles(fold.state, event));
    fold.apply(event);
  }
  return { after: fold.state, touchedByEvent };
};

/**
 * Judges a registry command: loads what it needs (its registry, the registries its stacks reach,
 * the dependents of what it may delete, the schemas), decides, and folds the events. Writes nothing.
 */
export const decideRegistryCommand = async <Tx extends WriteTransaction>(
  deps: RunnerDeps<Tx>,
  tx: Tx,
  unit: UnitChanges,
  command: Command,
  context: CommandContext,
): Promise<DecidedCommand> => {
  const registry = command.registry;
  const access = stateAccess(deps, tx, unit);
  await access.loadReachable([registry]);
  const before = access.loaded(registry);
  const needed = needs(command, before);
  await access.loadReachable(needed.registries);
  const dependents = new Map<string, string[]>();
  for (const slug of needed.dependentsOf) dependents.set(slug, await deps.indexes.readStackDependents(tx, registry, slug));
  const schemas = needed.schemas ? schemaLookupOf(await deps.cache.schemas(tx, unit)) : undefined;
  const occurredAt = deps.now();
  const readable = context.readable;
  const bodies = decide(before, command, {
    lookupProfile: readable === undefined ? access.lookupProfile : (r, slug) => (readable.has(r) ? access.lookupProfile(r, slug) : undefined),
    dependentsOf: (r, slug) => (r === registry ? (dependents.get(slug) ?? []) : []),
    schemas,
    now: occurredAt,
    actor: context.actor,
  });
  const events = stampEvents(bodies, context, occurredAt, registry);
  const { after, touchedByEvent } = foldDecided(before, registry, events);
  if (after && events.length > 0) {
    access.set(registry, after);
    await access.loadReachable(stackedRegistries(after));
  }
  return { before, after, events, touchedByEvent, access };
};

/** Appends a judged registry command's events; the unit's later commands see its new state. */
export const appendDecided = async (tx: WriteTransaction, unit: UnitChanges, registry: string, decided: DecidedCommand): Promise<StoredEvent[]> => {
  if (decided.events.length === 0) return [];
  const stored = await tx.events.appendToStream(registry, decided.before?.version ?? 0, decided.events);
  if (decided.after) unit.registries.set(registry, decided.after);
  return stored;
};

/** The stored live profiles that name a schema, with their content and policies from their registries' states. */
const schemaUsers = async <Tx extends WriteTransaction>(
  deps: RunnerDeps<Tx>,
  tx: Tx,
  unit: UnitChanges,
  kind: SchemaKind,
  name: string,
): Promise<ProfileUsingSchema[]> => {
  const users: ProfileUsingSchema[] = [];
  for (const { registry, profile: slug } of await deps.indexes.readSchemaUsers(tx, kind, name)) {
    const state = await deps.cache.registry(tx, unit, registry);
    const profile = state?.live ? state.profiles.get(slug) : undefined;
    if (!state || !profile) continue;
    const policies: ProfileUsingSchema['policies'] = {};
    if (state.unknown_middlewares !== undefined) policies.unknown_middlewares = state.unknown_middlewares;
    if (state.unknown_extensions !== undefined) policies.unknown_extensions = state.unknown_extensions;
    users.push({ registry, policies, content: profile.content as ProfileUsingSchema['content'] });
  }
  return users;
};

export interface DecidedSchemaCommand {
  before: SchemaState;
  after: SchemaState;
  events: DomainEvent[];
}

/** Judges a schema command against the registered schemas and the stored profiles that use it. Writes nothing. */
export const decideSchemaCommand = async <Tx extends WriteTransaction>(
  deps: RunnerDeps<Tx>,
  tx: Tx,
  unit: UnitChanges,
  command: SchemaCommand,
  context: CommandContext,
): Promise<DecidedSchemaCommand> => {
  const before = await deps.cache.schemas(tx, unit);
  const profiles = await schemaUsers(deps, tx, unit, command.kind, command.name);
  const events = stampEvents(decideSchema(before, command, profiles), context, deps.now(), SCHEMA_STREAM);
  let after = before;
  for (const event of events) after = evolveSchemas(after, event);
  return { before, after, events };
};

/** Appends a judged schema command's events. */
export const appendDecidedSchema = async (tx: WriteTransaction, unit: UnitChanges, decided: DecidedSchemaCommand): Promise<StoredEvent[]> => {
  unit.schemas = decided.after;
  return decided.events.length > 0 ? tx.events.appendToStream(SCHEMA_STREAM, decided.before.version, decided.events) : [];
};
