import {
  createCommandBus,
  type CommandBus,
  type CommandContext,
  type CommandOutcome,
  type ExecuteOptions,
} from '../events/command-bus.js';
import type { Command } from '../events/commands.js';
import { openDatabase, type DatabaseLocation } from '../events/open-database.js';
import type { SqlDatabase } from '../events/sql-database.js';
import { loadRegistryState } from './load-registry-state.js';
import { projectCommandChange } from './project-command.js';
import { writeRegistryRow, type WrittenDocument } from './project-registry.js';
import { registryPayloadJson } from './registry-serialization.js';
import { createSnapshotTaker, DEFAULT_SNAPSHOT_EVERY } from './registry-snapshots.js';
import { ensureSchema } from './schema-setup.js';
import { readStackDependents } from './stack-dependents.js';

/** What a write answers with: the document of the profile it named, or the registry it changed. */
export interface WriteResult {
  registryVersion: number;
  document?: WrittenDocument;
  registryJson?: string;
}

export interface RegistryStore {
  db: SqlDatabase;
  bus: CommandBus<WriteResult>;
  execute(command: Command, context: CommandContext, options?: ExecuteOptions<WriteResult>): Promise<CommandOutcome<WriteResult>>;
  close(): Promise<void>;
}

const profileSlugOf = (command: Command): string | undefined => ('slug' in command ? command.slug : undefined);

/**
 * Composes the write side (decide → append → project, group-committed) over one database.
 * The projector and the state loader are handed to the command bus here, so that
 * src/events never imports src/projections.
 */
export interface RegistryStoreOptions {
  now?: () => number;
  /** A registry gets a snapshot once it moved this many events past its last one. */
  snapshotEvery?: number;
}

export const createRegistryStore = async (db: SqlDatabase, options: RegistryStoreOptions = {}): Promise<RegistryStore> => {
  await ensureSchema(db);
  const takeSnapshot = createSnapshotTaker(options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY);
  const bus = createCommandBus<WriteResult>(
    db,
    {
      loadState: loadRegistryState,
      readStackDependents: async (tx, registry, slug) =>
        (await readStackDependents(tx, registry, slug)).map((ref) => `${ref.registry}/${ref.profile}`),
      projectCommand: async (tx, state, touched, command, change) => {
        if (!state) return { rendered: { registryVersion: 0 }, affected: new Map() };
        await takeSnapshot(tx, state);
        const slug = profileSlugOf(command);
        if (slug !== undefined && !touched.has(slug) && state.profiles.has(slug)) touched.add(slug);
        const { written, affected } = await projectCommandChange(tx, state, touched, change);
        const result: WriteResult = { registryVersion: state.version, document: slug ? written.get(slug) : undefined };
        if (slug === undefined && state.live) result.registryJson = registryPayloadJson(state);
        return { rendered: result, affected };
      },
      projectBatch: async (tx, states) => {
        for (const state of states) await writeRegistryRow(tx, state);
      },
    },
    { now: options.now },
  );
  return {
    db,
    bus,
    execute: (command, context, executeOptions) => bus.execute(command, context, executeOptions),
    close: async () => {
      await bus.close();
      await db.close();
    },
  };
};

export const openRegistryStore = async (location: DatabaseLocation, options: RegistryStoreOptions = {}) =>
  createRegistryStore(openDatabase(location), options);
