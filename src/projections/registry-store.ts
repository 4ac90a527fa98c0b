import {
  createCommandBus,
  type CommandBus,
  type CommandContext,
  type CommandOutcome,
  type ExecuteOptions,
} from '../events/command-bus.js';
import type { StoreCommand } from '../events/commands.js';
import { openDatabase, type DatabaseLocation } from '../events/open-database.js';
import type { SqlDatabase } from '../events/sql-database.js';
import { sealOf } from '../domain/row-seal.js';
import type { SigningKeys } from '../domain/signing-keys.js';
import type { RowSealer } from './change-feed-store.js';
import { DomainError } from '../domain/errors.js';
import { projectCommandChange } from './project-command.js';
import { writeRegistryRow, type WrittenDocument } from './project-registry.js';
import { LIVE_TABLES } from './projection-schema.js';
import { registryPayloadJson } from './registry-serialization.js';
import { createSnapshotTaker, DEFAULT_SNAPSHOT_EVERY } from '../events/snapshots.js';
import { ensureSchema } from './schema-setup.js';
import { readStackDependents } from './stack-dependents.js';
import { schemaKey } from '../events/schema-state.js';
import {
  readProfilesUsingSchema,
  schemaDocumentJson,
  schemaMetadataJson,
  schemaReadJson,
  writeSchemaRows,
} from './schema-projection.js';

/** What a write answers with: the document of the profile it named, or the registry it changed. */
export interface WriteResult {
  registryVersion: number;
  document?: WrittenDocument;
  registryJson?: string;
  /** A schema command's answer: the schema it left (absent once deleted). */
  schemaJson?: string;
  /** Whether a schema command registered a schema that was not there. */
  created?: boolean;
}

export interface RegistryStore {
  db: SqlDatabase;
  bus: CommandBus<WriteResult>;
  execute(command: StoreCommand, context: CommandContext, options?: ExecuteOptions<WriteResult>): Promise<CommandOutcome<WriteResult>>;
  close(): Promise<void>;
  /** The keys of `--signing-keys-file` (publish signs with the last, every one verifies). */
  signingKeys?: SigningKeys;
  /** Seals a stored row that is not an event (idempotent responses, change-feed rows). */
  seal: RowSealer;
  /** Why this store refuses every write (serving a database read-only for forensics), if it does; set before serving. */
  readOnly?: string;
}

const profileSlugOf = (command: StoreCommand): string | undefined => ('slug' in command ? command.slug : undefined);

/**
 * Composes the write side (decide → append → project, group-committed) over one database.
 * The projector and the state loader are handed to the command bus here, so that
 * src/events never imports src/projections.
 */
export interface RegistryStoreOptions {
  now?: () => number;
  /** A registry gets a snapshot once it moved this many events past its last one. */
  snapshotEvery?: number;
  signingKeys?: SigningKeys;
  /** Refuse every write with this reason (503). */
  readOnly?: string;
}

export const createRegistryStore = async (db: SqlDatabase, options: RegistryStoreOptions = {}): Promise<RegistryStore> => {
  const seal: RowSealer = (value) => sealOf(options.signingKeys, value);
  await ensureSchema(db, seal);
  const takeSnapshot = createSnapshotTaker(options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY);
  const bus = createCommandBus<WriteResult>(
    db,
    {
      readStackDependents: async (tx, registry, slug) =>
        (await readStackDependents(tx, registry, slug)).map((ref) => `${ref.registry}/${ref.profile}`),
      projectCommand: async (tx, state, touched, command, change) => {
        if (!state) return { rendered: { registryVersion: 0 }, affected: new Map() };
        await takeSnapshot(tx, state);
        const slug = profileSlugOf(command);
        if (slug !== undefined && !touched.has(slug) && state.profiles.has(slug)) touched.add(slug);
        const { written, affected } = await projectCommandChange(tx, state, touched, change, seal);
        const result: WriteResult = { registryVersion: state.version, document: slug ? written.get(slug) : undefined };
        if (slug === undefined && state.live) result.registryJson = registryPayloadJson(state);
        return { rendered: result, affected };
      },
      projectBatch: async (tx, states) => {
        for (const state of states) await writeRegistryRow(tx, state);
      },
      readProfilesUsingSchema,
      projectSchemaCommand: async (tx, before, after, command) => {
        const key = schemaKey(command.kind, command.name);
        if (before !== after) await writeSchemaRows(tx, after, [[command.kind, command.name]]);
        const entry = after.entries.get(key);
        return {
          registryVersion: after.version,
          schemaJson: entry && schemaReadJson(schemaDocumentJson(entry), schemaMetadataJson(entry)),
          created: entry !== undefined && !before.entries.has(key),
        };
      },
    },
    { now: options.now },
  );
  const store: RegistryStore = {
    db,
    bus,
    signingKeys: options.signingKeys,
    seal,
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
