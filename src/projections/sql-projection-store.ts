import { sqlSnapshotStore } from '../events/snapshots.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { writeAffected } from './change-feed-store.js';
import type { RowSealer } from '../domain/row-seal.js';
import { writeProfileRows, writeRegistryRow } from './project-registry.js';
import type { ProjectionStore } from './projection-store.js';
import { readSchemaUsers, writeSchemaRows } from './schema-projection.js';
import { readStackDependents, storedFingerprint } from './stack-dependents.js';

/** The live projection tables seen through one executor; change-feed rows are sealed with `seal`. */
export const sqlProjectionStore = (tx: SqlExecutor, seal: RowSealer): ProjectionStore => ({
  storedFingerprint: (registry, slug) => storedFingerprint(tx, registry, slug),
  stackDependents: (registry, slug) => readStackDependents(tx, registry, slug),
  writeProfileRows: (state, slugs, fingerprintOf) => writeProfileRows(tx, state, slugs, fingerprintOf),
  writeRegistryRow: (state) => writeRegistryRow(tx, state),
  writeAffected: (affected, hashOf) => writeAffected(tx, affected, hashOf, seal),
  schemaUsers: (kind, name) => readSchemaUsers(tx, kind, name),
  writeSchemaRows: (state, keys) => writeSchemaRows(tx, state, keys),
  snapshots: sqlSnapshotStore(tx),
});
