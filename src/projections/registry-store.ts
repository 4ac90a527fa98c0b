import {
  createCommandBus,
  type CommandBus,
  type CommandContext,
  type CommandOutcome,
  type ExecuteOptions,
} from '../events/command-bus.js';
import type { StoreCommand } from '../events/commands.js';
import { openDatabase, type DatabaseLocation } from '../events/open-database.js';
import type { SqlDatabase, SqlTransaction } from '../events/sql-database.js';
import { sealOf } from '../domain/row-seal.js';
import type { SigningKeys } from '../domain/signing-keys.js';
import type { RowSealer } from './change-feed-store.js';
import { DomainError } from '../domain/errors.js';
import { createProjector, type ProjectorOptions, type WriteResult } from './projector.js';
import { ensureSchema } from './schema-setup.js';
import { readFingerprintKey, rememberFingerprintKey } from './fingerprint-key-store.js';
import type { FingerprintKey } from '../domain/fingerprint.js';
import { sqlProjectionStore } from './sql-projection-store.js';

export interface RegistryStore {
  db: SqlDatabase;
  bus: CommandBus<WriteResult, SqlTransaction>;
  execute(
    command: StoreCommand,
    context: CommandContext,
    options?: ExecuteOptions<WriteResult, SqlTransaction>,
  ): Promise<CommandOutcome<WriteResult>>;
  close(): Promise<void>;
  /** The keys of `--signing-keys-file` (publish signs with the last, every one verifies). */
  signingKeys?: SigningKeys;
  /** Seals a stored row that is not an event (idempotent responses, change-feed rows). */
  seal: RowSealer;
  /** The store's key for fingerprints and ETags (made with the store, kept in its database). */
  fingerprintKey: FingerprintKey;
  /** Why this store refuses every write (serving a database read-only for forensics), if it does; set before serving. */
  readOnly?: string;
}

/**
 * Composes the write side (decide → append → project, group-committed) over one database.
 * The projector, over the SQL projection tables, is handed to the command bus here, so that
 * src/events never imports src/projections.
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
  const bus = createCommandBus(db, projector, { now: options.now });
  const store: RegistryStore = {
    db,
    bus,
    signingKeys: options.signingKeys,
    seal,
    fingerprintKey,
    readOnly: options.readOnly,
    execute: (command, context, executeOptions) => {
      if (store.readOnly !== undefined) return Promise.reject(new DomainError('read_only', store.readOnly));
      return bus.execute(command, context, executeOptions);
    },
    close: async () => {
      await bus.close();
      await db.close();
    },
  };
  return store;
};

export const openRegistryStore = async (location: DatabaseLocation, options: RegistryStoreOptions = {}) =>
  createRegistryStore(openDatabase(location), options);
