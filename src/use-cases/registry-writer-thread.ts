/**
 * The writer thread (see registry-writer.ts): owns the write connection of the SQLite file and runs
 * every command there (decide → append → project, group-committed, the WAL synced), so that the
 * event loop of the HTTP server only parses, answers and reads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CommandContext, CommandOutcome, Judgement } from '../events/command-bus.js';
import type { RegistryState } from '../events/registry-state.js';
import type { WriteResult } from './write-result.js';
import type { WriteAnswer } from './keyed-write.js';
import { keyedWriteHooks } from './keyed-write.js';
import { openRegistryStore, type RegistryStore } from './registry-store.js';
import { fromThreadError, toThreadError } from './thread-errors.js';
import { createOutbox } from './thread-outbox.js';
import type { FromWriter, ToWriter, WriterThreadData } from './registry-writer.js';

const port = parentPort!;
const post = createOutbox<FromWriter>((messages) => port.postMessage(messages));
const { location, options } = workerData as WriterThreadData;

/** Answers a keyed write asks the main thread for, by request id. */
const answers = new Map<number, { resolve: (answer: WriteAnswer) => void; reject: (error: unknown) => void }>();
const askAnswer = (id: number, rendered: WriteResult) =>
  new Promise<WriteAnswer>((resolve, reject) => {
    answers.set(id, { resolve, reject });
    post({ kind: 'ask', id, rendered });
  });

/** A state with plain Maps: its ForkedMaps lose their class in a structured clone. */
const portable = (state: RegistryState | undefined): RegistryState | undefined =>
  state && { ...state, profiles: new Map(state.profiles), tombstones: new Map(state.tombstones) };

const portableJudgement = (judgement: Judgement): Judgement => ({ ...judgement, before: portable(judgement.before), after: portable(judgement.after) });

const settle = (id: number, context: CommandContext, work: Promise<unknown>) =>
  work.then(
    (result) => post({ kind: 'done', id, result }),
    (error: unknown) => post({ kind: 'refused', id, error: toThreadError(error, context.readable) }),
  );

/** Outcomes without their events: those went with the commit just before (cloned once, not twice). */
const settleOutcomes = (id: number, context: CommandContext, single: boolean, work: Promise<CommandOutcome<WriteResult>[]>) =>
  work.then(
    (outcomes) =>
      post({ kind: 'outcomes', id, single, outcomes: outcomes.map(({ events, rendered }) => ({ positions: events.map((event) => event.position), rendered })) }),
    (error: unknown) => post({ kind: 'refused', id, error: toThreadError(error, context.readable) }),
  );

const serve = (store: RegistryStore) => {
  store.bus.onCommit((events, affected) => post({ kind: 'commit', events, affected }));
  const receive = (message: ToWriter) => {
    switch (message.kind) {
      case 'execute': {
        const { id, command, context, keyed } = message;
        const hooks = keyed ? keyedWriteHooks(keyed, store.seal, (rendered) => askAnswer(id, rendered)) : {};
        void settleOutcomes(id, context, true, store.bus.execute(command, context, hooks).then((outcome) => [outcome]));
        return;
      }
      case 'executeAll':
        void settleOutcomes(message.id, message.context, false, store.bus.executeAll(message.commands, message.context));
        return;
      case 'judge':
        void settle(message.id, message.context, store.bus.judge(message.command, message.context).then(portableJudgement));
        return;
      case 'answer': {
        const asked = answers.get(message.id);
        answers.delete(message.id);
        if (message.answer !== undefined) asked?.resolve(message.answer);
        else asked?.reject(fromThreadError(message.error ?? { kind: 'other', name: 'Error', message: 'no answer' }));
        return;
      }
      case 'invalidate':
        store.bus.invalidate(message.registry);
        return;
      case 'close':
        void store.close().then(
          () => post({ kind: 'closed' }),
          (error: unknown) => post({ kind: 'closed', error: toThreadError(error) }),
        );
        return;
    }
  };
  port.on('message', (messages: ToWriter[]) => {
    for (const message of messages) receive(message);
  });
  post({ kind: 'ready' });
};

openRegistryStore(location, options).then(serve, (error: unknown) => post({ kind: 'failed', error: toThreadError(error) }));
