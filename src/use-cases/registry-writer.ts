import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { AffectedByPosition } from '../events/change-feed.js';
import type { CommandBus, CommandContext, CommandOutcome, Judgement } from '../events/command-bus.js';
import type { Command, StoreCommand } from '../events/commands.js';
import { DatabaseUnavailable } from '../events/database-unavailable.js';
import type { StoredEvent } from '../events/event-types.js';
import type { DatabaseLocation } from '../events/open-database.js';
import type { SqlTransaction } from '../events/sql-database.js';
import type { WriteResult } from './write-result.js';
import type { KeyedWrite, WriteAnswer } from './keyed-write.js';
import type { KeyedExecution, RegistryStore, RegistryStoreOptions } from './registry-store.js';
import { fromThreadError, toThreadError, type ThreadError } from './thread-errors.js';
import { createOutbox } from './thread-outbox.js';
import { createWriteGate } from './write-gate.js';

/** What the writer thread opens: the same database, with the options that are plain data. */
export interface WriterThreadData {
  location: DatabaseLocation;
  options: Pick<RegistryStoreOptions, 'signingKeys' | 'snapshotEvery'>;
}

export type ToWriter =
  | { kind: 'execute'; id: number; command: StoreCommand; context: CommandContext; keyed?: KeyedWrite }
  | { kind: 'executeAll'; id: number; commands: StoreCommand[]; context: CommandContext }
  | { kind: 'judge'; id: number; command: Command; context: CommandContext }
  | { kind: 'answer'; id: number; answer?: WriteAnswer; error?: ThreadError }
  | { kind: 'invalidate'; registry?: string }
  | { kind: 'close' };

export type FromWriter =
  | { kind: 'ready' }
  | { kind: 'failed'; error: ThreadError }
  | { kind: 'done'; id: number; result: unknown }
  /** What `execute` (single) or `executeAll` answered; each outcome's events by position, from the commit message before it. */
  | { kind: 'outcomes'; id: number; single: boolean; outcomes: { positions: number[]; rendered: WriteResult }[] }
  | { kind: 'refused'; id: number; error: ThreadError }
  | { kind: 'commit'; events: StoredEvent[]; affected: AffectedByPosition }
  | { kind: 'ask'; id: number; rendered: WriteResult }
  | { kind: 'closed'; error?: ThreadError };

interface InFlight {
  resolve(result: unknown): void;
  reject(error: unknown): void;
  answer?: KeyedExecution['answer'];
}

/** The thread's script beside this module (dist/…/registry-writer-thread.js once built). */
export const WRITER_THREAD_URL = new URL('./registry-writer-thread.js', import.meta.url);

export interface WriterThreadOptions extends WriterThreadData {
  /** The built script to run (tests running the TypeScript sources point at dist/). */
  threadUrl?: URL;
  /** Called once if the thread stops on its own (it never should): every write is refused from then on. */
  onFailure?(error: Error): void;
}

/**
 * Moves a SQLite store's writes to a worker thread (`serve --writer thread`): the thread opens its
 * own RegistryStore on the same file and runs every command there (decide, append, project, group
 * commit, the WAL's fsync); this thread keeps `store.db` for reads and health. Commands, contexts and
 * results are plain data (structured clone); the commits come back as the bus's `onCommit`, before
 * the answers of the commands they made durable, as on one thread. Behaviour is the store's: an
 * answer is sent once its events are durable, a keyed write records its answer in its own
 * transaction (the answer is asked of this thread, where the route is), dry runs and units run in
 * the thread's write transaction.
 */
export const writeInThread = (store: RegistryStore, options: WriterThreadOptions): RegistryStore => {
  const data: WriterThreadData = { location: options.location, options: options.options };
  const worker = new Worker(options.threadUrl ?? WRITER_THREAD_URL, { workerData: data });
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const inFlight = new Map<number, InFlight>();
  let nextId = 0;
  let stopped: Error | undefined;
  let closing: Promise<void> | undefined;
  let closed: ((error?: ThreadError) => void) | undefined;

  // the thread keeps the process alive only while a command is in flight
  worker.unref();
  const track = (id: number, entry: InFlight) => {
    if (inFlight.size === 0) worker.ref();
    inFlight.set(id, entry);
  };
  const untrack = (id: number) => {
    const entry = inFlight.get(id);
    inFlight.delete(id);
    if (inFlight.size === 0) worker.unref();
    return entry;
  };

  const stop = (error: Error) => {
    if (stopped) return;
    stopped = error;
    for (const id of [...inFlight.keys()]) untrack(id)?.reject(error);
    if (!closing) options.onFailure?.(error);
  };

  const post = createOutbox<ToWriter>((messages) => worker.postMessage(messages));
  // the thread opens its store while this one goes on starting: commands sent meanwhile wait in its port
  {
    /** The events of the commits of the message being read, by position (outcomes name theirs). */
    const committed = new Map<number, StoredEvent>();
    const receive = (message: FromWriter) => {
      switch (message.kind) {
        case 'ready':
          return;
        case 'failed':
          stop(new DatabaseUnavailable(fromThreadError(message.error)));
          return;
        case 'commit':
          for (const event of message.events) committed.set(event.position, event);
          emitter.emit('commit', message.events, message.affected);
          return;
        case 'outcomes': {
          const outcomes = message.outcomes.map(({ positions, rendered }) => ({ rendered, events: positions.map((position) => committed.get(position)!) }));
          untrack(message.id)?.resolve(message.single ? outcomes[0] : outcomes);
          return;
        }
        case 'done':
          untrack(message.id)?.resolve(message.result);
          return;
        case 'refused':
          untrack(message.id)?.reject(fromThreadError(message.error));
          return;
        case 'ask': {
          const answer = inFlight.get(message.id)?.answer;
          try {
            if (!answer) throw new Error('no answer for this write');
            post({ kind: 'answer', id: message.id, answer: answer(message.rendered) });
          } catch (error) {
            post({ kind: 'answer', id: message.id, error: toThreadError(error) });
          }
          return;
        }
        case 'closed':
          closed?.(message.error);
          return;
      }
    };
    worker.on('message', (messages: FromWriter[]) => {
      // a commit and the outcomes it made durable come in one message (thread-outbox.ts)
      for (const message of messages) receive(message);
      committed.clear();
    });
    worker.on('error', (error) => stop(new DatabaseUnavailable(error)));
    worker.on('exit', (code) => stop(new DatabaseUnavailable(new Error(`the writer thread stopped (exit code ${code})`))));
  }

  const send = <T>(message: ToWriter & { id: number }, answer?: KeyedExecution['answer']) =>
    new Promise<T>((resolve, reject) => {
      if (stopped) {
        reject(stopped);
        return;
      }
      track(message.id, { resolve: resolve as InFlight['resolve'], reject, answer });
      post(message);
    });

  const gate = createWriteGate(() => threaded.readOnly);

  const execute = (command: StoreCommand, context: CommandContext, keyed?: KeyedExecution) =>
    gate.gated(() => {
      const id = nextId++;
      if (!keyed) return send<CommandOutcome<WriteResult>>({ kind: 'execute', id, command, context });
      const { answer, ...write } = keyed;
      return send<CommandOutcome<WriteResult>>({ kind: 'execute', id, command, context, keyed: write }, answer);
    });
  const executeAll = (commands: StoreCommand[], context: CommandContext) =>
    gate.gated(() => send<CommandOutcome<WriteResult>[]>({ kind: 'executeAll', id: nextId++, commands, context }));
  const judge = (command: Command, context: CommandContext) => send<Judgement>({ kind: 'judge', id: nextId++, command, context });

  const close = async () => {
    closing ??= (async () => {
      if (!stopped) {
        const done = new Promise<ThreadError | undefined>((resolve) => {
          closed = resolve;
          worker.once('exit', () => resolve(undefined));
        });
        worker.ref();
        post({ kind: 'close' });
        const error = await done;
        await worker.terminate();
        if (error) throw fromThreadError(error);
      }
    })();
    await closing;
  };

  const bus: CommandBus<WriteResult, SqlTransaction> = {
    execute: (command, context, hooks = {}) => {
      if (hooks.beforeDecide || hooks.beforeCommit) return Promise.reject(new Error('hooks cannot run in the writer thread: use store.execute with a keyed write'));
      return send({ kind: 'execute', id: nextId++, command, context });
    },
    executeAll,
    judge,
    onCommit: (listener: (events: StoredEvent[], affected: AffectedByPosition) => void) => {
      emitter.on('commit', listener);
      return () => emitter.off('commit', listener);
    },
    invalidate: (registry) => post({ kind: 'invalidate', registry }),
    close,
  };

  let closedBoth: Promise<void> | undefined;
  const threaded: RegistryStore = {
    ...store,
    bus,
    execute,
    executeAll,
    judge,
    writesWaitFor: gate.waitFor,
    close: () =>
      (closedBoth ??= (async () => {
        try {
          await close();
        } finally {
          await store.close();
        }
      })()),
  };
  return threaded;
};
