import { randomFingerprintKey, type FingerprintKey } from '../domain/fingerprint.js';
import type { CommandChange, ProjectedBase, ProjectorHooks } from '../events/command-bus.js';
import { profileNamedBy } from '../events/commands.js';
import { schemaKey } from '../events/schema-state.js';
import { createSnapshotTaker, DEFAULT_SNAPSHOT_EVERY } from '../events/snapshots.js';
import type { RunAhead } from '../events/run-ahead.js';
import type { WriteTransaction } from '../events/write-transaction.js';
import { projectCommandChange, type FingerprintGuesses } from './project-command.js';
import type { WrittenDocument } from './project-registry.js';
import type { ProjectionStore } from './projection-store.js';

/** What the projector wrote for one command: the use-case layer builds the caller's answer from it. */
export interface ProjectedChange extends ProjectedBase {
  /** The profile documents written in the command's own registry, by slug (its touched profiles and the one it names). */
  documents: ReadonlyMap<string, WrittenDocument>;
  /** The schemas whose rows were written (`kind/name`). */
  schemas: string[];
}

export interface ProjectorOptions {
  /** The store's key for fingerprints and ETags (a random one when none is given: a store in memory). */
  fingerprintKey?: FingerprintKey;
  /** A registry gets a snapshot once it moved this many events past its last one. */
  snapshotEvery?: number;
}

const nothingWritten = (): ProjectedChange => ({ documents: new Map(), affected: new Map(), schemas: [] });

/** A schema command's rows: the schema it changed (nothing when it changed nothing). */
const projectSchemaChange = async (projections: ProjectionStore, change: CommandChange<'schemas'>): Promise<ProjectedChange> => {
  const { kind, name } = change.command;
  if (change.before === change.after) return nothingWritten();
  await projections.writeSchemaRows(change.after, [[kind, name]]);
  return { ...nothingWritten(), schemas: [schemaKey(kind, name)] };
};

/**
 * The projector the command bus runs in each command's savepoint, one projection per stream kind:
 * it writes what the command changed to the ProjectionStore of the transaction (`projectionsIn`)
 * and returns what it wrote. It builds no answer (`use-cases/write-result.ts` does).
 */
export const createProjector = <Tx extends WriteTransaction>(
  projectionsIn: (tx: Tx) => ProjectionStore,
  options: ProjectorOptions = {},
): ProjectorHooks<Tx, ProjectedChange> => {
  const takeSnapshot = createSnapshotTaker(options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY);
  const key = options.fingerprintKey ?? randomFingerprintKey();
  const guesses: FingerprintGuesses = new Map();
  const projectRegistryChange = async (projections: ProjectionStore, change: CommandChange<'registry'>, runAhead?: RunAhead): Promise<ProjectedChange> => {
    const state = change.after;
    if (!state) return nothingWritten();
    await takeSnapshot(projections.snapshots, state);
    const touched = new Set(change.touchedByEvent.flat());
    // the profile the command names is written even when the command changed nothing of it
    const named = profileNamedBy(change.command);
    if (named !== undefined && state.profiles.has(named)) touched.add(named);
    const { written, affected } = await projectCommandChange(projections, state, touched, change, key, { runAhead, guesses });
    return { documents: written, affected, schemas: [] };
  };
  return {
    snapshots: (tx) => projectionsIn(tx).snapshots,
    readStackDependents: async (tx, registry, slug) =>
      (await projectionsIn(tx).stackDependents(registry, slug)).map((ref) => `${ref.registry}/${ref.profile}`),
    readSchemaUsers: (tx, kind, name) => projectionsIn(tx).schemaUsers(kind, name),
    project: {
      registry: (tx, change, runAhead) => projectRegistryChange(projectionsIn(tx), change, runAhead),
      schemas: (tx, change) => projectSchemaChange(projectionsIn(tx), change),
    },
    projectBatch: async (tx, changed) => {
      const projections = projectionsIn(tx);
      for (const state of changed.registry.values()) if (state) await projections.writeRegistryRow(state);
    },
  };
};
