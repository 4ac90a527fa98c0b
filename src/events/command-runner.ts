import type { ProfileLookup } from '../domain/stack-merge.js';
import type { SchemaKind } from '../domain/schema-documents.js';
import type { ProfileUsingSchema } from './decide-schema.js';
import { foldTouched, type CommandOf, type DecisionInputs, type StateOf, type StreamDecider, type StreamKind, type StreamNeeds } from './decider.js';
import { CURRENT_SCHEMA_VERSION, eventProfile, type DomainEvent, type EventBody, type EventCause, type EventMetadata, type StoredEvent } from './event-types.js';
import { loadReachableStates, lookupInStates, stackedRegistries } from './profile-lookup.js';
import { registryDecider } from './registry-decider.js';
import type { RegistryState } from './registry-state.js';
import { schemaDecider } from './schema-decider.js';
import { SCHEMA_STREAM, schemaLookupOf } from './schema-state.js';
import type { RunAhead } from './run-ahead.js';
import type { StateCache, UnitChanges } from './state-cache.js';
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

/**
 * A command, judged: the state it was judged on, its events (stamped, not yet stored) and the
 * state they lead to, with the registries it read (for the projector's fingerprints).
 */
export interface Decided<K extends StreamKind> {
  kind: K;
  stream: string;
  command: CommandOf<K>;
  before: StateOf<K>;
  after: StateOf<K>;
  events: DomainEvent[];
  /** What each event touched (`StreamDecider.touched`), by event index. */
  touchedByEvent: string[][];
  access: StateAccess;
}

/** A command that went through: its decision with the events as stored. What the projector projects. */
export type CommandChange<K extends StreamKind = StreamKind> = Omit<Decided<K>, 'events'> & { events: StoredEvent[] };

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

type LoadedStates = StateAccess & { add(states: ReadonlyMap<string, RegistryState | undefined>): Promise<void> };

const stateAccess = <Tx extends WriteTransaction>(deps: RunnerDeps<Tx>, tx: Tx, unit: UnitChanges): LoadedStates => {
  const loaded = new Map<string, RegistryState | undefined>();
  const loadReachable = (registries: Iterable<string>) =>
    loadReachableStates(registries, loaded, (registry) => deps.cache.state(tx, unit, registry, registryDecider));
  return {
    add: async (states) => {
      for (const [registry, state] of states) loaded.set(registry, state);
      for (const state of states.values()) await loadReachable(stackedRegistries(state));
    },
    loadReachable,
    loaded: (registry) => loaded.get(registry),
    lookupProfile: lookupInStates(loaded),
  };
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
    const state = await deps.cache.state(tx, unit, registry, registryDecider);
    const profile = state?.live ? state.profiles.get(slug) : undefined;
    if (!state || !profile) continue;
    const policies: ProfileUsingSchema['policies'] = {};
    if (state.unknown_middlewares !== undefined) policies.unknown_middlewares = state.unknown_middlewares;
    if (state.unknown_extensions !== undefined) policies.unknown_extensions = state.unknown_extensions;
    users.push({ registry, policies, content: profile.content as ProfileUsingSchema['content'] });
  }
  return users;
};

/** Loads what `needs` declared: the registries it names (and those they stack on), dependents, schemas, a schema's users. */
const loadInputs = async <Tx extends WriteTransaction>(
  deps: RunnerDeps<Tx>,
  tx: Tx,
  unit: UnitChanges,
  stream: string,
  needed: StreamNeeds,
  access: LoadedStates,
): Promise<Omit<DecisionInputs, 'lookupProfile'>> => {
  await access.loadReachable(needed.registries);
  const dependents = new Map<string, string[]>();
  for (const slug of needed.dependentsOf) dependents.set(slug, await deps.indexes.readStackDependents(tx, stream, slug));
  const schemas = needed.schemas ? schemaLookupOf(await deps.cache.state(tx, unit, SCHEMA_STREAM, schemaDecider)) : undefined;
  const users = needed.schemaUsers ? await schemaUsers(deps, tx, unit, needed.schemaUsers.kind, needed.schemaUsers.name) : [];
  return { dependentsOf: (r, slug) => (r === stream ? (dependents.get(slug) ?? []) : []), schemas, schemaUsers: users };
};

/** Profiles of registries the writer may not read are missing to the decision. */
const readableLookup = (access: StateAccess, readable: CommandContext['readable']): ProfileLookup =>
  readable === undefined ? access.lookupProfile : (registry, slug) => (readable.has(registry) ? access.lookupProfile(registry, slug) : undefined);

/**
 * Judges a command with its stream's decider: loads its stream's state and what `needs` declares,
 * decides, stamps the events and folds them. Writes nothing. The one judge of every command.
 */
export const decideCommand = async <Tx extends WriteTransaction, K extends StreamKind>(
  deps: RunnerDeps<Tx>,
  tx: Tx,
  unit: UnitChanges,
  decider: StreamDecider<K>,
  command: CommandOf<K>,
  context: CommandContext,
): Promise<Decided<K>> => {
  const stream = decider.streamOf(command);
  const before = await deps.cache.state(tx, unit, stream, decider);
  const access = stateAccess(deps, tx, unit);
  await access.add(decider.registriesIn(stream, before));
  const inputs = await loadInputs(deps, tx, unit, stream, decider.needs(command, before), access);
  const occurredAt = deps.now();
  const lookupProfile = readableLookup(access, context.readable);
  const bodies = decider.decide(command, before, { ...inputs, lookupProfile, now: occurredAt, actor: context.actor });
  const events = stampEvents(bodies, context, occurredAt, stream);
  const { after, touchedByEvent } = foldTouched(decider, before, stream, events);
  if (events.length > 0) await access.add(decider.registriesIn(stream, after));
  return { kind: decider.kind, stream, command, before, after, events, touchedByEvent, access };
};

/**
 * Appends a judged command's events (expected version: the state it was judged on); the unit's later
 * commands see its new state. `runAhead`: see run-ahead.ts.
 */
export const appendDecided = async <K extends StreamKind>(
  tx: WriteTransaction,
  unit: UnitChanges,
  decider: StreamDecider<K>,
  decided: Decided<K>,
  runAhead?: RunAhead,
): Promise<StoredEvent[]> => {
  if (decided.events.length === 0) return [];
  const stored = await tx.events.appendToStream(decided.stream, decider.versionOf(decided.before), decided.events, runAhead);
  unit[decider.kind].set(decided.stream, decided.after);
  return stored;
};
