import { randomFingerprintKey, type FingerprintKey } from '../domain/fingerprint.js';
import type { CommandBusHooks } from '../events/command-bus.js';
import type { StoreCommand } from '../events/commands.js';
import { schemaKey } from '../events/schema-state.js';
import { createSnapshotTaker, DEFAULT_SNAPSHOT_EVERY } from '../events/snapshots.js';
import type { WriteTransaction } from '../events/write-transaction.js';
import { projectCommandChange } from './project-command.js';
import type { WrittenDocument } from './project-registry.js';
import type { ProjectionStore } from './projection-store.js';
import { registryPayloadJson } from './registry-serialization.js';
import { schemaDocumentJson, schemaMetadataJson, schemaReadJson } from './schema-projection.js';

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

export interface ProjectorOptions {
  /** The store's key for fingerprints and ETags (a random one when none is given: a store in memory). */
  fingerprintKey?: FingerprintKey;
  /** A registry gets a snapshot once it moved this many events past its last one. */
  snapshotEvery?: number;
}

const profileSlugOf = (command: StoreCommand): string | undefined => ('slug' in command ? command.slug : undefined);

/**
 * The projector the command bus runs in each command's savepoint: it writes what the command
 * changed to the ProjectionStore of the transaction (`projectionsIn`) and renders the answer.
 */
export const createProjector = <Tx extends WriteTransaction>(
  projectionsIn: (tx: Tx) => ProjectionStore,
  options: ProjectorOptions = {},
): CommandBusHooks<Tx, WriteResult> => {
  const takeSnapshot = createSnapshotTaker(options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY);
  const key = options.fingerprintKey ?? randomFingerprintKey();
  return {
    snapshots: (tx) => projectionsIn(tx).snapshots,
    readStackDependents: async (tx, registry, slug) =>
      (await projectionsIn(tx).stackDependents(registry, slug)).map((ref) => `${ref.registry}/${ref.profile}`),
    projectCommand: async (tx, state, touched, command, change) => {
      if (!state) return { rendered: { registryVersion: 0 }, affected: new Map() };
      const projections = projectionsIn(tx);
      await takeSnapshot(projections.snapshots, state);
      const slug = profileSlugOf(command);
      if (slug !== undefined && !touched.has(slug) && state.profiles.has(slug)) touched.add(slug);
      const { written, affected } = await projectCommandChange(projections, state, touched, change, key);
      const result: WriteResult = { registryVersion: state.version, document: slug ? written.get(slug) : undefined };
      if (slug === undefined && state.live) result.registryJson = registryPayloadJson(state);
      return { rendered: result, affected };
    },
    projectBatch: async (tx, states) => {
      const projections = projectionsIn(tx);
      for (const state of states) await projections.writeRegistryRow(state);
    },
    readProfilesUsingSchema: (tx, kind, name) => projectionsIn(tx).profilesUsingSchema(kind, name),
    projectSchemaCommand: async (tx, before, after, command) => {
      const key = schemaKey(command.kind, command.name);
      if (before !== after) await projectionsIn(tx).writeSchemaRows(after, [[command.kind, command.name]]);
      const entry = after.entries.get(key);
      return {
        registryVersion: after.version,
        schemaJson: entry && schemaReadJson(schemaDocumentJson(entry), schemaMetadataJson(entry)),
        created: entry !== undefined && !before.entries.has(key),
      };
    },
  };
};
