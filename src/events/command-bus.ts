import { EventEmitter } from 'node:events';
import { isDomainError } from '../domain/errors.js';
import type { SchemaKind } from '../domain/schema-documents.js';
import type { AffectedByPosition, AffectedProfile } from './change-feed.js';
import {
  appendDecided,
  appendDecidedSchema,
  decideRegistryCommand,
  decideSchemaCommand,
  type CommandContext,
  type DecisionIndexes,
  type RunnerDeps,
  type StateAccess,
} from './command-runner.js';
import { isSchemaCommand, type Command, type SchemaCommand, type StoreCommand } from './commands.js';
import type { DomainEvent, StoredEvent } from './event-types.js';
import { createGroupCommit } from './group-commit.js';
import type { RegistryState } from './registry-state.js';
import type { SchemaState } from './schema-state.js';
import type { SnapshotStore } from './snapshot-store.js';
import { createStateCache, emptyUnitChanges, type UnitChanges } from './state-cache.js';
import type { TransactionalStore, WriteTransaction } from './write-transaction.js';

export type { CommandContext, StateAccess } from './command-runner.js';

export interface CommandOutcome<Rendered> {
  /** The events this command appended (none when it changed nothing). */
  events: StoredEvent[];
  /** The registry right after this command, as the projector rendered what the caller needs. */
  rendered: Rendered;
}

/** What a dry run answers: the registry as the command found it, the events it would append, and the registry they would leave. */
export interface Judgement {
  before: RegistryState | undefined;
  after: RegistryState | undefined;
  events: DomainEvent[];
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
  /** Profiles that may name schema `name` of `kind` (a superset is fine): their content is read from their registries' states. */
  readSchemaUsers(tx: Tx, kind: SchemaKind, name: string): Promise<{ registry: string; profile: string }[]>;
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
  /** Runs after a schema command inside its savepoint: writes what it changed, renders the answer. */
  projectSchemaCommand(tx: Tx, before: SchemaState, after: SchemaState, command: SchemaCommand): Promise<Rendered>;
}

export interface ExecuteOptions<Rendered, Tx extends WriteTransaction = WriteTransaction> {
  /** Runs inside the command's savepoint before deciding; a throw refuses the command (e.g. to claim an idempotency key). */
  beforeDecide?: (tx: Tx) => Promise<void>;
  /** Runs inside the command's savepoint after projection (e.g. to record an idempotent response). */
  beforeCommit?: (tx: Tx, outcome: CommandOutcome<Rendered>) => Promise<void>;
}

/** One unit of work: commands that go through together or not at all, or a dry run. */
type Work<Rendered, Tx extends WriteTransaction> =
  | { kind: 'execute'; commands: StoreCommand[]; options: ExecuteOptions<Rendered, Tx> }
  | { kind: 'judge'; command: Command };

interface Pending<Rendered, Tx extends WriteTransaction> {
  work: Work<Rendered, Tx>;
  context: CommandContext;
  resolve: (result: CommandOutcome<Rendered>[] | Judgement) => void;
  reject: (error: unknown) => void;
  result?: CommandOutcome<Rendered>[] | Judgement;
  error?: unknown;
  affected?: AffectedByPosition;
  changes?: UnitChanges;
}

export interface CommandBus<Rendered, Tx extends WriteTransaction = WriteTransaction> {
  execute(command: StoreCommand, context: CommandContext, options?: ExecuteOptions<Rendered, Tx>): Promise<CommandOutcome<Rendered>>;
  /** Runs commands in order as one unit (one savepoint): every one goes through, or none does. */
  executeAll(commands: StoreCommand[], context: CommandContext): Promise<CommandOutcome<Rendered>[]>;
  /**
   * A dry run: judges a command exactly as `execute` would (same states, same indexes, in the write
   * transaction, in a savepoint that is rolled back) and appends nothing.
   */
  judge(command: Command, context: CommandContext): Promise<Judgement>;
  /** Called after each commit with the events it made durable, in position order, and the profiles they affected. */
  onCommit(listener: (events: StoredEvent[], affected: AffectedByPosition) => void): () => void;
  /** Forgets cached state (another process may have written). */
  invalidate(registry?: string): void;
  close(): Promise<void>;
}

/** Thrown inside a dry run's savepoint so that it is rolled back. */
class DryRunRollback extends Error {}

/**
 * The one writer path, and the one judge: decide → append → project, with group commit. Units
 * that arrive together are run in one transaction, each in its own savepoint, so one refused
 * command never fails the others; every caller hears back only after the commit that made its
 * events durable. Dry runs take the same path and are rolled back.
 */
export const createCommandBus = <Tx extends WriteTransaction, Rendered>(
  store: TransactionalStore<Tx>,
  hooks: CommandBusHooks<Tx, Rendered>,
  options: { now?: () => number; maxBatch?: number } = {},
): CommandBus<Rendered, Tx> => {
  const cache = createStateCache<Tx>((tx) => hooks.snapshots(tx));
  const deps: RunnerDeps<Tx> = { cache, indexes: hooks satisfies DecisionIndexes<Tx>, now: options.now ?? Date.now };
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let closed = false;

  const runSchemaCommand = async (tx: Tx, unit: UnitChanges, command: SchemaCommand, context: CommandContext) => {
    const decided = await decideSchemaCommand(deps, tx, unit, command, context);
    const events = await appendDecidedSchema(tx, unit, decided);
    return { events, rendered: await hooks.projectSchemaCommand(tx, decided.before, decided.after, command), affected: new Map() };
  };

  const runRegistryCommand = async (tx: Tx, unit: UnitChanges, command: Command, context: CommandContext) => {
    const decided = await decideRegistryCommand(deps, tx, unit, command, context);
    const events = await appendDecided(tx, unit, command.registry, decided);
    const touched = new Set(decided.touchedByEvent.flat());
    const change = { events, touchedByEvent: decided.touchedByEvent, access: decided.access };
    const projected = await hooks.projectCommand(tx, decided.after, touched, command, change);
    return { events, rendered: projected.rendered, affected: projected.affected };
  };

  const runCommands = async (tx: Tx, item: Pending<Rendered, Tx>, work: Extract<Work<Rendered, Tx>, { kind: 'execute' }>) => {
    const unit = emptyUnitChanges();
    const outcomes: CommandOutcome<Rendered>[] = [];
    const affected = new Map<number, AffectedProfile[]>();
    for (const command of work.commands) {
      await work.options.beforeDecide?.(tx);
      const ran = isSchemaCommand(command)
        ? await runSchemaCommand(tx, unit, command, item.context)
        : await runRegistryCommand(tx, unit, command, item.context);
      for (const [position, profiles] of ran.affected) affected.set(position, profiles);
      const outcome = { events: ran.events, rendered: ran.rendered };
      await work.options.beforeCommit?.(tx, outcome);
      outcomes.push(outcome);
    }
    item.affected = affected;
    item.changes = unit;
    return outcomes;
  };

  const runJudge = async (tx: Tx, item: Pending<Rendered, Tx>, command: Command): Promise<Judgement> => {
    let judgement: Judgement | undefined;
    try {
      await tx.savepoint(async () => {
        const decided = await decideRegistryCommand(deps, tx, emptyUnitChanges(), command, item.context);
        judgement = { before: decided.before, after: decided.after, events: decided.events };
        throw new DryRunRollback();
      });
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
    }
    return judgement as Judgement;
  };

  const runItem = async (tx: Tx, item: Pending<Rendered, Tx>) => {
    const { work } = item;
    if (work.kind === 'judge') return runJudge(tx, item, work.command);
    return tx.savepoint(() => runCommands(tx, item, work));
  };

  /** After a refused unit: its states were never kept; drop what may have moved under it. */
  const forgetAfterRefusal = (item: Pending<Rendered, Tx>, error: unknown) => {
    const commands = item.work.kind === 'execute' ? item.work.commands : [item.work.command];
    for (const command of commands) {
      if (isSchemaCommand(command)) cache.forgetSchemas();
      else if (!isDomainError(error)) cache.forget(command.registry);
    }
  };

  const runTransaction = async (batch: Pending<Rendered, Tx>[], writerFree: () => void) => {
    const changed = new Map<string, RegistryState>();
    await store.transaction(async (tx) => {
      cache.startTransaction();
      for (const item of batch) {
        try {
          item.result = await runItem(tx, item);
        } catch (error) {
          item.error = error;
          forgetAfterRefusal(item, error);
          continue;
        }
        if (!item.changes) continue;
        cache.keep(item.changes);
        for (const [registry, state] of item.changes.registries) changed.set(registry, state);
      }
      await hooks.projectBatch(tx, [...changed.values()]);
    }, writerFree).catch((error: unknown) => {
      for (const registry of changed.keys()) cache.forget(registry);
      cache.forgetSchemas();
      throw error;
    });
  };

  const announce = (batch: Pending<Rendered, Tx>[]) => {
    const committed: StoredEvent[] = [];
    const affected = new Map<number, AffectedProfile[]>();
    for (const item of batch) {
      if (item.result === undefined) {
        item.reject(item.error);
        continue;
      }
      if (Array.isArray(item.result)) for (const outcome of item.result) committed.push(...outcome.events);
      for (const [position, profiles] of item.affected ?? []) affected.set(position, profiles);
      item.resolve(item.result);
    }
    if (committed.length > 0) emitter.emit('commit', committed, affected);
  };

  const runBatch = async (batch: Pending<Rendered, Tx>[], writerFree: () => void): Promise<void> => {
    try {
      await runTransaction(batch, writerFree);
    } catch (error) {
      for (const item of batch) item.reject(error);
      writerFree();
      return;
    }
    announce(batch);
  };

  const group = createGroupCommit(runBatch, options.maxBatch ?? 256);

  const submit = <T>(work: Work<Rendered, Tx>, context: CommandContext) =>
    new Promise<T>((resolve, reject) => {
      if (closed) {
        reject(new Error('command bus is closed'));
        return;
      }
      group.push({ work, context, resolve: resolve as Pending<Rendered, Tx>['resolve'], reject });
    });

  return {
    execute: async (command, context, executeOptions = {}) =>
      (await submit<CommandOutcome<Rendered>[]>({ kind: 'execute', commands: [command], options: executeOptions }, context))[0],
    executeAll: (commands, context) => submit({ kind: 'execute', commands, options: {} }, context),
    judge: (command, context) => submit({ kind: 'judge', command }, context),
    onCommit: (listener) => {
      emitter.on('commit', listener);
      return () => emitter.off('commit', listener);
    },
    invalidate: (registry) => cache.forget(registry),
    close: async () => {
      closed = true;
      await group.drained();
    },
  };
};
