import {
  createCommandBus,
  type CommandBus,
  type CommandContext,
  type CommandOutcome,
  type Judgement,
} from '../events/command-bus.js';
import type { Command, StoreCommand } from '../events/commands.js';
import { openDatabase, type DatabaseLocation } from '../events/open-database.js';
import type { SqlDatabase, SqlTransaction } from '../events/sql-database.js';
import { sealOf } from '../domain/row-seal.js';
import type { SigningKeys } from '../domain/signing-keys.js';
import type { RowSealer } from '../domain/row-seal.js';
import { readOnlyStore } from '../domain/errors.js';
import { createProjector, type ProjectorOptions } from '../projections/projector.js';
import { ensureSchema } from '../projections/schema-setup.js';
import { sealingEvents } from '../events/event-seals.js';
import { readFingerprintKey, rememberFingerprintKey } from '../projections/fingerprint-key-store.js';
import type { FingerprintKey } from '../domain/fingerprint.js';
import { sqlProjectionStore } from '../projections/sql-projection-store.js';
import { writeResults, type WriteResult } from './write-result.js';
import { keyedWriteHooks, type KeyedWrite, type WriteAnswer } from './keyed-write.js';
import { createWriteGate } from './write-gate.js';

/** A write with an `Idempotency-Key`: the key, and the answer to record with it (computed where the request is). */
export interface KeyedExecution extends KeyedWrite {
  answer(rendered: WriteResult): WriteAnswer;
}

export interface RegistryStore {
  db: SqlDatabase;
  bus: CommandBus<WriteResult, SqlTransaction>;
  /** Runs a command (its events durable when it resolves); with `keyed`, claims the key and records the answer in the same transaction. */
  execute(command: StoreCommand, context: CommandContext, keyed?: KeyedExecution): Promise<CommandOutcome<WriteResult>>;
  /** Runs commands as one unit: every one goes through, or none does (an import). */
  executeAll(commands: StoreCommand[], context: CommandContext): Promise<CommandOutcome<WriteResult>[]>;
  /** A dry run: the bus's judge, in a savepoint rolled back (allowed on a read-only store: it writes nothing). */
  judge(command: Command, context: CommandContext): Promise<Judgement>;
  close(): Promise<void>;
  /** The keys of `--signing-keys-file` (publish signs with the last, every one verifies). */
  signingKeys?: SigningKeys;
  /** Seals a stored row that is not an event (idempotent responses, change-feed rows). */
  seal: RowSealer;
  /** The store's key for fingerprints and ETags (made with the store, kept in its database). */
  fingerprintKey: FingerprintKey;
  /** Why this store refuses every write (serving a database read-only for forensics), if it does; set before serving. */
  readOnly?: string;
  /** Holds every write (execute, executeAll) until `check` settles (serve's chain check); `readOnly` is asked after it. */
  writesWaitFor(check: Promise<void>): void;
}

/**
 * Composes the write side (decide → append → project, group-committed) over one database.
 * The projector, over the SQL projection tables, and the write results (`write-result.ts`) are
 * handed to the command bus here, so that src/events never imports src/projections.
 */
export interface RegistryStoreOptions extends ProjectorOptions {
  now?: () => number;
  signingKeys?: SigningKeys;
  /** Refuse every write with this reason (503). */
  readOnly?: string;
}

export const createRegistryStore = async (db: SqlDatabase, options: RegistryStoreOptions = {}): Promise<RegistryStore> => {
  const seal: RowSealer = (value) => sealOf(options.signingKeys, value);
  await ensureSchema(db, seal);
  const fingerprintKey = await readFingerprintKey(db);
  rememberFingerprintKey(db, fingerprintKey);
  const projector = createProjector((tx: SqlTransaction) => sqlProjectionStore(tx, seal), { ...options, fingerprintKey });
  // every event is sealed as it is appended (with the signing key when there is one)
  const bus = createCommandBus(sealingEvents(db, seal), { ...projector, render: writeResults }, { now: options.now });
  const gate = createWriteGate(() => store.readOnly);
  const store: RegistryStore = {
    db,
    bus,
    signingKeys: options.signingKeys,
    seal,
    fingerprintKey,
    readOnly: options.readOnly,
    execute: (command, context, keyed) => gate.gated(() => bus.execute(command, context, keyed ? keyedWriteHooks(keyed, seal, keyed.answer) : {})),
    executeAll: (commands, context) => gate.gated(() => bus.executeAll(commands, context)),
    writesWaitFor: gate.waitFor,
    judge: (command, context) => bus.judge(command, context),
    close: async () => {
      await bus.close();
      await db.close();
    },
  };
  return store;
};

export const openRegistryStore = async (location: DatabaseLocation, options: RegistryStoreOptions = {}) =>
  createRegistryStore(openDatabase(location), options);

/**
 * The judge alone over a database opened read-only (`restore --dry-run`): the command bus with the
 * SQL projector's read indexes; its dry runs write nothing, so the file stays as it was.
 */
export const createReadOnlyJudge = (db: SqlDatabase): Pick<RegistryStore, 'judge' | 'execute'> & { close(): Promise<void> } => {
  const projector = createProjector((tx: SqlTransaction) => sqlProjectionStore(tx, (value) => sealOf(undefined, value)));
  const bus = createCommandBus(db, { ...projector, render: writeResults });
  return {
    judge: (command, context) => bus.judge(command, context),
    execute: () => Promise.reject(readOnlyStore('a dry run writes nothing')),
    close: () => bus.close(),
  };
};
