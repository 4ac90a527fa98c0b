import { EventEmitter } from 'node:events';
import { isDomainError } from '../domain/errors.js';
import type { AffectedByPosition, AffectedProfile } from './change-feed.js';
import {
  appendDecided,
  decideCommand,
  type CommandChange,
  type CommandContext,
  type DecisionIndexes,
  type RunnerDeps,
} from './command-runner.js';
import type { Command, StoreCommand } from './commands.js';
import type { CommandOf, StreamDecider, StreamKind, StreamStates } from './decider.js';
import { streamOfCommand, withDecider } from './deciders.js';
import type { DomainEvent, StoredEvent } from './event-types.js';
import { createGroupCommit } from './group-commit.js';
import { registryDecider } from './registry-decider.js';
import type { RegistryState } from './registry-state.js';
import { createRunAhead, GuessMissed, type RunAhead } from './run-ahead.js';
import type { SnapshotStore } from './snapshot-store.js';
import { createStateCache, emptyUnitChanges, type StateCache, type UnitChanges } from './state-cache.js';
import type { TransactionalStore, WriteTransaction } from './write-transaction.js';

export type { CommandChange, CommandContext, StateAccess } from './command-runner.js';

export interface CommandOutcome<Rendered> {
  /** The events this command appended (none when it changed nothing). */
  events: StoredEvent[];
  /** The answer to the caller, rendered from the command's change and what the projector wrote (`CommandBusHooks.render`). */
  rendered: Rendered;
}

/** What a dry run answers: the registry as the command found it, the events it would append, and the registry they would leave. */
export interface Judgement {
  before: RegistryState | undefined;
  after: RegistryState | undefined;
  events: DomainEvent[];
}

/** What a projector reports it wrote for a command; the bus reads the change-feed part (for `onCommit`). */
export interface ProjectedBase {
  /** Profiles whose fingerprint changed, by the position of the event that caused it (the change-feed rows written). */
  affected: AffectedByPosition;
}

/**
 * What the composition root plugs in: where projections go, and the read indexes a decision
 * consults, each through the transaction handle `Tx` the bus's store gives (a database's, or an
 * in-memory log's). One projection per stream kind, as there is one decider per stream kind.
 */
export interface ProjectorHooks<Tx extends WriteTransaction, Projected extends ProjectedBase> extends DecisionIndexes<Tx> {
  /** Where registries' snapshots are read, for loading states (the projector writes them). */
  snapshots(tx: Tx): SnapshotStore;
  /**
   * Runs after each command inside its savepoint: writes what the command changed, and returns what
   * it wrote. With `runAhead`, answers that only confirm a guess may be handed to it instead of
   * waited for (see run-ahead.ts).
   */
  project: { [K in StreamKind]: (tx: Tx, change: CommandChange<K>, runAhead?: RunAhead) => Promise<Projected> };
  /** Runs once per batch before commit: writes what depends on the batch's last states (the registry rows). */
  projectBatch(tx: Tx, changed: StreamStates): Promise<void>;
}

/** What a caller hears back, per stream kind: built from the change and what the projector wrote (by the use-case layer). */
export type Renderers<Projected, Rendered> = { [K in StreamKind]: (change: CommandChange<K>, projected: Projected) => Rendered };

export interface CommandBusHooks<Tx extends WriteTransaction, Projected extends ProjectedBase, Rendered> extends ProjectorHooks<Tx, Projected> {
  render: Renderers<Projected, Rendered>;
}

export interface ExecuteOptions<Rendered, Tx extends WriteTransaction = WriteTransaction> {
  /** Runs inside the command's savepoint before deciding; a throw refuses the command (e.g. to claim an idempotency key). */
  beforeDecide?: (tx: Tx) => Promise<void>;
  /** Runs inside the command's savepoint after projection and rendering (e.g. to record an idempotent response beside the command). */
  beforeCommit?: (tx: Tx, outcome: CommandOutcome<Rendered>) => Promise<void>;
}

/** One unit of work: commands that go through together or not at all, or a dry run. */
type Work<Rendered, Tx extends WriteTransaction> =
  | { kind: 'execute'; commands: StoreCommand[]; options: ExecuteOptions<Rendered, Tx> }
  | { kind: 'judge'; command: Command };

interface Item<Tx extends WriteTransaction, Rendered> {
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

/** What the bus's functions share: the store, the hooks, the state cache and the listeners. */
interface BusCore<Tx extends WriteTransaction, Projected extends ProjectedBase, Rendered> {
  store: TransactionalStore<Tx>;
  hooks: CommandBusHooks<Tx, Projected, Rendered>;
  cache: StateCache<Tx>;
  deps: RunnerDeps<Tx>;
  emitter: EventEmitter;
}

/** Thrown inside a dry run's savepoint so that it is rolled back. */
class DryRunRollback extends Error {}

/** A batch run ahead (see runAhead below): where answers go, and a note once a command is judged (from then on it may have written). */
interface Ahead {
  runAhead: RunAhead;
  judged(): void;
}

/** One command, with its stream's decider: judge, append, project, render (the generic command handler). */
const runCommand = <Tx extends WriteTransaction, Projected extends ProjectedBase, Rendered>(
  core: BusCore<Tx, Projected, Rendered>,
  tx: Tx,
  unit: UnitChanges,
  command: StoreCommand,
  context: CommandContext,
  ahead?: Ahead,
) =>
  withDecider(command, async <K extends StreamKind>(decider: StreamDecider<K>, routed: CommandOf<K>) => {
    const decided = await decideCommand(core.deps, tx, unit, decider, routed, context);
    ahead?.judged();
    const events = await appendDecided(tx, unit, decider, decided, ahead?.runAhead);
    const change: CommandChange<K> = { ...decided, events };
    const projected = await core.hooks.project[decider.kind](tx, change, ahead?.runAhead);
    return { events, rendered: core.hooks.render[decider.kind](change, projected), affected: projected.affected };
  });

const runCommands = async <Tx extends WriteTransaction, Projected extends ProjectedBase, Rendered>(
  core: BusCore<Tx, Projected, Rendered>,
  tx: Tx,
  item: Item<Tx, Rendered>,
  work: Extract<Work<Rendered, Tx>, { kind: 'execute' }>,
  ahead?: Ahead,
) => {
  const unit = emptyUnitChanges();
  const outcomes: CommandOutcome<Rendered>[] = [];
  const affected = new Map<number, AffectedProfile[]>();
  for (const command of work.commands) {
    await work.options.beforeDecide?.(tx);
    const ran = await runCommand(core, tx, unit, command, item.context, ahead);
    for (const [position, profiles] of ran.affected) affected.set(position, profiles);
    const outcome = { events: ran.events, rendered: ran.rendered };
    await work.options.beforeCommit?.(tx, outcome);
    outcomes.push(outcome);
  }
  item.affected = affected;
  item.changes = unit;
  return outcomes;
};

const runJudge = async <Tx extends WriteTransaction>(deps: RunnerDeps<Tx>, tx: Tx, command: Command, context: CommandContext): Promise<Judgement> => {
  let judgement: Judgement | undefined;
  try {
    await tx.savepoint(async () => {
      const decided = await decideCommand(deps, tx, emptyUnitChanges(), registryDecider, command, context);
      judgement = { before: decided.before, after: decided.after, events: decided.events };
      throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return judgement as Judgement;
};

const runItem = async <Tx extends WriteTransaction, Projected extends ProjectedBase, Rendered>(
  core: BusCore<Tx, Projected, Rendered>,
  tx: Tx,
  item: Item<Tx, Rendered>,
) => {
  const { work } = item;
  if (work.kind === 'judge') return runJudge(core.deps, tx, work.command, item.context);
  return tx.savepoint(() => runCommands(core, tx, item, work));
};

/** After a refused unit: its states were never kept; drop what may have moved under it (not after a refusal by a decider). */
const forgetAfterRefusal = <Tx extends WriteTransaction, Rendered>(cache: StateCache<Tx>, work: Work<Rendered, Tx>, error: unknown) => {
  if (isDomainError(error)) return;
  for (const command of work.kind === 'execute' ? work.commands : [work.command]) cache.forget(streamOfCommand(command));
};

const mergeStates = (into: StreamStates, from: StreamStates) => {
  for (const [registry, state] of from.registry) into.registry.set(registry, state);
  for (const [stream, state] of from.schemas) into.schemas.set(stream, state);
};

/** Each unit one command with no hooks of its own: such a batch can be run ahead. */
const canRunAhead = <Tx extends WriteTransaction, Rendered>(batch: Item<Tx, Rendered>[]) =>
  batch.every(
    ({ work }) => work.kind === 'execute' && work.commands.length === 1 && work.options.beforeDecide === undefined && work.options.beforeCommit === undefined,
  );

/**
 * Runs a batch ahead: all its commands in one savepoint, none waiting for the answers that only
 * confirm a guess (collected in a RunAhead and checked once at the end). A command refused by its
 * decider wrote nothing (deciding writes nothing), so it is refused alone, as in its own savepoint.
 * Anything else (a guess that missed, a failed statement, a throw after a command was judged)
 * takes the whole savepoint back and throws GuessMissed: the caller then runs the batch again the
 * careful way, each command in a savepoint of its own, so each still gets its own answer.
 */
const runAhead = async <Tx extends WriteTransaction, Projected extends ProjectedBase, Rendered>(
  core: BusCore<Tx, Projected, Rendered>,
  tx: Tx,
  batch: Item<Tx, Rendered>[],
) => {
  await tx.savepoint(async () => {
    const ahead = createRunAhead();
    for (const item of batch) {
      let judged = false;
      try {
        item.result = await runCommands(core, tx, item, item.work as Extract<Work<Rendered, Tx>, { kind: 'execute' }>, {
          runAhead: ahead,
          judged: () => (judged = true),
        });
      } catch (error) {
        if (judged || !isDomainError(error)) throw new GuessMissed(error);
        item.error = error;
        continue;
      }
      if (item.changes) core.cache.keep(item.changes);
    }
    await ahead.settle();
  });
};

/** Each unit in a savepoint of its own, waiting for every answer. */
const runCarefully = async <Tx extends WriteTransaction, Projected extends ProjectedBase, Rendered>(
  core: BusCore<Tx, Projected, Rendered>,
  tx: Tx,
  batch: Item<Tx, Rendered>[],
) => {
  for (const item of batch) {
    try {
      item.result = await runItem(core, tx, item);
    } catch (error) {
      item.error = error;
      forgetAfterRefusal(core.cache, item.work, error);
      continue;
    }
    if (item.changes) core.cache.keep(item.changes);
  }
};

const runTransaction = async <Tx extends WriteTransaction, Projected extends ProjectedBase, Rendered>(
  core: BusCore<Tx, Projected, Rendered>,
  batch: Item<Tx, Rendered>[],
  writerFree: () => void,
) => {
  await core.store.transaction(async (tx) => {
    core.cache.startTransaction();
    let ranAhead = false;
    if (core.store.runsAhead === true && canRunAhead(batch)) {
      try {
        await runAhead(core, tx, batch);
        ranAhead = true;
      } catch (error) {
        if (!(error instanceof GuessMissed)) throw error;
        // taken back: what the states and the guesses learnt from it is not so
        core.cache.forget();
        core.cache.startTransaction();
        for (const item of batch) item.result = item.error = item.affected = item.changes = undefined;
      }
    }
    if (!ranAhead) await runCarefully(core, tx, batch);
    const changed = emptyUnitChanges();
    for (const item of batch) if (item.result !== undefined && item.changes) mergeStates(changed, item.changes);
    await core.hooks.projectBatch(tx, changed);
  }, writerFree).catch((error: unknown) => {
    core.cache.forget();
    throw error;
  });
};

const announce = <Tx extends WriteTransaction, Rendered>(emitter: EventEmitter, batch: Item<Tx, Rendered>[]) => {
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

const runBatch = async <Tx extends WriteTransaction, Projected extends ProjectedBase, Rendered>(
  core: BusCore<Tx, Projected, Rendered>,
  batch: Item<Tx, Rendered>[],
  writerFree: () => void,
): Promise<void> => {
  try {
    await runTransaction(core, batch, writerFree);
  } catch (error) {
    for (const item of batch) item.reject(error);
    writerFree();
    return;
  }
  announce(core.emitter, batch);
};

/**
 * The one writer path, and the one judge: each command is run by its stream's decider (judge →
 * append → project → render), with group commit. Units that arrive together are run in one
 * transaction, each in its own savepoint, so one refused command never fails the others; every
 * caller hears back only after the commit that made its events durable. Dry runs take the same
 * path and are rolled back.
 */
export const createCommandBus = <Tx extends WriteTransaction, Projected extends ProjectedBase, Rendered>(
  store: TransactionalStore<Tx>,
  hooks: CommandBusHooks<Tx, Projected, Rendered>,
  options: { now?: () => number; maxBatch?: number } = {},
): CommandBus<Rendered, Tx> => {
  const cache = createStateCache<Tx>((tx) => hooks.snapshots(tx));
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const core: BusCore<Tx, Projected, Rendered> = { store, hooks, cache, emitter, deps: { cache, indexes: hooks, now: options.now ?? Date.now } };
  const group = createGroupCommit<Item<Tx, Rendered>>((batch, writerFree) => runBatch(core, batch, writerFree), options.maxBatch ?? 256);
  let closed = false;

  const submit = <T>(work: Work<Rendered, Tx>, context: CommandContext) =>
    new Promise<T>((resolve, reject) => {
      if (closed) {
        reject(new Error('command bus is closed'));
        return;
      }
      group.push({ work, context, resolve: resolve as Item<Tx, Rendered>['resolve'], reject });
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
