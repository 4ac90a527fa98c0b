import { EventEmitter } from 'node:events';
import { isDomainError } from '../domain/errors.js';
import { isSchemaCommand, type Command, type SchemaCommand, type StoreCommand } from './commands.js';
import type { ProfileLookup } from '../domain/stack-merge.js';
import type { AffectedByPosition, AffectedProfile } from './change-feed.js';
import { decide } from './decide.js';
import { startFold } from './evolve.js';
import { aggregateStream } from './aggregate-stream.js';
import { needs } from './needs.js';
import { CURRENT_SCHEMA_VERSION, type DomainEvent, type StoredEvent } from './event-types.js';
import type { RegistryState } from './registry-state.js';
import type { SnapshotStore } from './snapshot-store.js';
import type { TransactionalStore, WriteTransaction } from './write-transaction.js';
import { loadReachableStates, lookupInStates, stackedRegistries } from './profile-lookup.js';
import { touchedProfiles } from './touched-profiles.js';
import type { SchemaKind } from '../domain/schema-documents.js';
import { decideSchema, type ProfileUsingSchema } from './decide-schema.js';
import { evolveSchemas, foldSchemaEvents, SCHEMA_STREAM, schemaLookupOf, type SchemaState } from './schema-state.js';

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
  readable?: (registry: string) => boolean;
}

export interface CommandOutcome<Rendered> {
  /** The events this command appended (none when it changed nothing). */
  events: StoredEvent[];
  /** The registry right after this command, as the projector rendered what the caller needs. */
  rendered: Rendered;
}

/** Registries other than the command's own, loaded through the bus's cache (stacks cross registries). */
export interface StateAccess {
  /** Loads every registry reachable from these through stack refs. */
  loadReachable(registries: Iterable<string>): Promise<void>;
  /** A registry loaded by this command (or undefined). */
  loaded(registry: string): RegistryState | undefined;
  lookupProfile: ProfileLookup;
}

/** What one command changed, for the projector. */
export interface CommandChange {
  events: StoredEvent[];
  /** The profiles each event touched, by event index. */
  touchedByEvent: string[][];
  access: StateAccess;
}

export interface ProjectedCommand<Rendered> {
  rendered: Rendered;
  /** Profiles whose fingerprint changed, by the position of the event that caused it. */
  affected: AffectedByPosition;
}

/**
 * What the composition root plugs in: where projections go, and the read indexes a decision
 * consults, each through the transaction handle `Tx` the bus's store gives (a database's, or an
 * in-memory log's).
 */
export interface CommandBusHooks<Tx extends WriteTransaction, Rendered> {
  /** Where registries' snapshots are read, for loading states (the projector writes them). */
  snapshots(tx: Tx): SnapshotStore;
  /** `registry/slug` of the live profiles whose stack names this profile. */
  readStackDependents(tx: Tx, registry: string, slug: string): Promise<string[]>;
  /** Runs after each command inside its savepoint: writes what the command changed, renders the answer. */
  projectCommand(
    tx: Tx,
    state: RegistryState | undefined,
    touched: Set<string>,
    command: Command,
    change: CommandChange,
  ): Promise<ProjectedCommand<Rendered>>;
  /** Runs once per batch before commit: writes the rows of every registry the batch changed. */
  projectBatch(tx: Tx, states: RegistryState[]): Promise<void>;
  /** The stored live profiles that name schema `name` of `kind` (a superset is fine: the decider checks each). */
  readProfilesUsingSchema(tx: Tx, kind: SchemaKind, name: string): Promise<ProfileUsingSchema[]>;
  /** Runs after a schema command inside its savepoint: writes what it changed, renders the answer. */
  projectSchemaCommand(tx: Tx, before: SchemaState, after: SchemaState, command: SchemaCommand): Promise<Rendered>;
}

export interface ExecuteOptions<Rendered, Tx extends WriteTransaction = WriteTransaction> {
  /** Runs inside the command's savepoint before deciding; a throw refuses the command (e.g. to claim an idempotency key). */
  beforeDecide?: (tx: Tx) => Promise<void>;
  /** Runs inside the command's savepoint after projection (e.g. to record an idempotent response). */
  beforeCommit?: (tx: Tx, outcome: CommandOutcome<Rendered>) => Promise<void>;
}

interface Pending<Rendered, Tx extends WriteTransaction> {
  command: StoreCommand;
  context: CommandContext;
  options: ExecuteOptions<Rendered, Tx>;
  affected?: AffectedByPosition;
  resolve: (outcome: CommandOutcome<Rendered>) => void;
  reject: (error: unknown) => void;
  outcome?: CommandOutcome<Rendered>;
  error?: unknown;
}

export interface CommandBus<Rendered, Tx extends WriteTransaction = WriteTransaction> {
  execute(command: StoreCommand, context: CommandContext, options?: ExecuteOptions<Rendered, Tx>): Promise<CommandOutcome<Rendered>>;
  /** Called after each commit with the events it made durable, in position order, and the profiles they affected. */
  onCommit(listener: (events: StoredEvent[], affected: AffectedByPosition) => void): () => void;
  /** Forgets cached state (another process may have written). */
  invalidate(registry?: string): void;
  close(): Promise<void>;
}

/**
 * The one writer path: decide → append → project, with group commit. Commands that arrive
 * together are run in one transaction, each in its own savepoint against its own expected
 * version, so one refused command never fails the others; every caller hears back only after
 * the commit that made its events durable.
 */
export const createCommandBus = <Tx extends WriteTransaction, Rendered>(
  store: TransactionalStore<Tx>,
  hooks: CommandBusHooks<Tx, Rendered>,
  options: { now?: () => number; maxBatch?: number } = {},
): CommandBus<Rendered, Tx> => {
  const now = options.now ?? Date.now;
  const maxBatch = options.maxBatch ?? 256;
  const cache = new Map<string, RegistryState | undefined>();
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let queue: Pending<Rendered, Tx>[] = [];
  let flushing: Promise<void> | undefined;
  let closed = false;
  /**
   * The schema stream's state, checked against its head once per transaction: inside it no other
   * writer can move the stream (write transactions exclude each other, across processes too), and
   * this bus's own schema commands keep the cache current or drop it.
   */
  let schemaCache: SchemaState | undefined;
  let schemaCacheChecked = false;

  const currentSchemas = async (tx: Tx): Promise<SchemaState> => {
    if (schemaCacheChecked && schemaCache) return schemaCache;
    const head = await tx.events.streamHead(SCHEMA_STREAM);
    if (schemaCache?.version !== head.version) schemaCache = foldSchemaEvents(await tx.events.readStream(SCHEMA_STREAM));
    schemaCacheChecked = true;
    return schemaCache;
  };

  const stamped = (bodies: ReturnType<typeof decide>, context: CommandContext, occurredAt = now()): DomainEvent[] =>
    bodies.map(
      (body) =>
        ({
          ...body,
          schema_version: CURRENT_SCHEMA_VERSION[body.type],
          metadata: {
            actor: context.actor,
            ...(context.on_behalf_of === undefined ? {} : { on_behalf_of: context.on_behalf_of }),
            source: context.source,
            request_id: context.request_id,
            occurred_at_ms: occurredAt,
          },
        }) as DomainEvent,
    );

  const runSchemaCommand = async (tx: Tx, item: Pending<Rendered, Tx>, command: SchemaCommand) => {
    await item.options.beforeDecide?.(tx);
    const state = await currentSchemas(tx);
    const profiles = await hooks.readProfilesUsingSchema(tx, command.kind, command.name);
    const events = stamped(decideSchema(state, command, profiles), item.context);
    const stored = events.length > 0 ? await tx.events.appendToStream(SCHEMA_STREAM, state.version, events) : [];
    let next = state;
    for (const event of events) next = evolveSchemas(next, event);
    schemaCache = next;
    const outcome = { events: stored, rendered: await hooks.projectSchemaCommand(tx, state, next, command) };
    await item.options.beforeCommit?.(tx, outcome);
    return outcome;
  };

  /** Registries whose cached state was checked against its stream's head in this transaction. */
  const checkedStates = new Set<string>();

  /**
   * A registry's state from its events (latest snapshot + the events after it), or the cached one
   * when the stream's head, read inside this transaction, is still its version. As with the schema
   * stream, that is asked once per transaction: inside it no other writer moves the stream, and
   * this bus's commands keep the cache current or drop it. States are never changed (evolve
   * returns new ones), so a cached state can be shared.
   */
  const currentState = async (tx: Tx, registry: string): Promise<RegistryState | undefined> => {
    if (cache.has(registry)) {
      const cached = cache.get(registry);
      if (checkedStates.has(registry)) return cached;
      const head = await tx.events.streamHead(registry);
      if (head.version === (cached?.version ?? 0)) {
        checkedStates.add(registry);
        return cached;
      }
    }
    const loaded = await aggregateStream(tx.events, registry, { snapshots: hooks.snapshots(tx) });
    cache.set(registry, loaded);
    checkedStates.add(registry);
    return loaded;
  };

  const stateAccess = (tx: Tx): StateAccess & { set(registry: string, state: RegistryState): void } => {
    const loaded = new Map<string, RegistryState | undefined>();
    return {
      set: (registry, state) => loaded.set(registry, state),
      loadReachable: (registries) => loadReachableStates(registries, loaded, (registry) => currentState(tx, registry)),
      loaded: (registry) => loaded.get(registry),
      lookupProfile: lookupInStates(loaded),
    };
  };

  const runOne = async (tx: Tx, item: Pending<Rendered, Tx>, changed: Map<string, RegistryState>) => {
    const { command, context } = item;
    if (isSchemaCommand(command)) return runSchemaCommand(tx, item, command);
    const registry = command.registry;
    await item.options.beforeDecide?.(tx);
    const access = stateAccess(tx);
    await access.loadReachable([registry]);
    const state = access.loaded(registry);
    const needed = needs(command, state);
    await access.loadReachable(needed.registries);
    const dependents = new Map<string, string[]>();
    for (const slug of needed.dependentsOf) dependents.set(slug, await hooks.readStackDependents(tx, registry, slug));
    const schemas = needed.schemas ? schemaLookupOf(await currentSchemas(tx)) : undefined;
    const occurredAt = now();
    const readable = context.readable;
    const bodies = decide(state, command, {
      lookupProfile: readable === undefined ? access.lookupProfile : (r, slug) => (readable(r) ? access.lookupProfile(r, slug) : undefined),
      dependentsOf: (r, slug) => (r === registry ? (dependents.get(slug) ?? []) : []),
      schemas,
      now: occurredAt,
      actor: context.actor,
    });
    const events = stamped(bodies, context, occurredAt);
    const stored = events.length > 0 ? await tx.events.appendToStream(registry, state?.version ?? 0, events) : [];
    const fold = startFold(state, registry);
    const touched = new Set<string>();
    const touchedByEvent: string[][] = [];
    for (const event of events) {
      const slugs = touchedProfiles(fold.state, event);
      touchedByEvent.push(slugs);
      for (const slug of slugs) touched.add(slug);
      fold.apply(event);
    }
    const next = fold.state;
    if (next && events.length > 0) {
      access.set(registry, next);
      await access.loadReachable(stackedRegistries(next));
    }
    const projected = await hooks.projectCommand(tx, next, touched, command, { events: stored, touchedByEvent, access });
    const outcome = { events: stored, rendered: projected.rendered };
    await item.options.beforeCommit?.(tx, outcome);
    // only a command that went through changes what the next one sees (a failed one's savepoint is rolled back)
    if (next && events.length > 0) {
      cache.set(registry, next);
      changed.set(registry, next);
    }
    item.affected = projected.affected;
    return outcome;
  };

  /** Runs one batch; `writerFree` is called once the writer is free for the next batch. */
  const flushBatch = async (batch: Pending<Rendered, Tx>[], writerFree: () => void): Promise<void> => {
    const changed = new Map<string, RegistryState>();
    try {
      await store.transaction(async (tx) => {
        schemaCacheChecked = false;
        checkedStates.clear();
        for (const item of batch) {
          try {
            item.outcome = await tx.savepoint(() => runOne(tx, item, changed));
          } catch (error) {
            item.error = error;
            if (isSchemaCommand(item.command)) {
              schemaCache = undefined;
              continue;
            }
            if (!isDomainError(error)) cache.delete(item.command.registry);
          }
        }
        await hooks.projectBatch(tx, [...changed.values()]);
      }, writerFree);
    } catch (error) {
      for (const registry of changed.keys()) cache.delete(registry);
      schemaCache = undefined;
      for (const item of batch) item.reject(error);
      writerFree();
      return;
    }
    const committed: StoredEvent[] = [];
    const affected = new Map<number, AffectedProfile[]>();
    for (const item of batch) {
      if (item.outcome) {
        committed.push(...item.outcome.events);
        for (const [position, profiles] of item.affected ?? []) affected.set(position, profiles);
        item.resolve(item.outcome);
      } else item.reject(item.error);
    }
    if (committed.length > 0) emitter.emit('commit', committed, affected);
  };

  // batches whose commit is done but not yet durable: the next batch runs while the disk syncs
  const syncing = new Set<Promise<void>>();

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      let writerFree!: () => void;
      const committed = new Promise<void>((resolve) => {
        writerFree = resolve;
      });
      const flushed = flushBatch(batch, writerFree);
      syncing.add(flushed);
      void flushed.finally(() => syncing.delete(flushed));
      await committed;
    }
    flushing = undefined;
  };

  return {
    execute: (command, context, options = {}) =>
      new Promise<CommandOutcome<Rendered>>((resolve, reject) => {
        if (closed) {
          reject(new Error('command bus is closed'));
          return;
        }
        queue.push({ command, context, options, resolve, reject });
        if (!flushing) {
          flushing = new Promise<void>((done) => setImmediate(done)).then(drain);
        }
      }),
    onCommit: (listener) => {
      emitter.on('commit', listener);
      return () => emitter.off('commit', listener);
    },
    invalidate: (registry) => {
      if (registry === undefined) {
        cache.clear();
        schemaCache = undefined;
      } else cache.delete(registry);
    },
    close: async () => {
      closed = true;
      await flushing;
      await Promise.all(syncing);
    },
  };
};
