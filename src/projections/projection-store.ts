import type { SchemaKind } from '../domain/schema-documents.js';
import type { AffectedByPosition } from '../events/change-feed.js';
import type { RegistryState } from '../events/registry-state.js';
import type { SchemaState } from '../events/schema-state.js';
import type { SnapshotStore } from '../events/snapshot-store.js';
import type { FingerprintOf, WrittenDocument } from './project-registry.js';
import type { ProfileRef } from './stack-dependents.js';

/**
 * What the projector writes for a command, and the little it reads back while deciding and
 * writing, bound to one write transaction as an EventStore is (a throw in a savepoint takes back
 * these writes with the events). The write side only: the read models HTTP serves (history,
 * lists, containment, time travel) are SQL's alone. Implemented by sql-projection-store.ts (the
 * projection tables) and in-memory/in-memory-projection-store.ts.
 */
export interface ProjectionStore {
  /**
   * The fingerprint of a profile's stored document (null when it has none), as of the call: rows
   * written after the call, before the answer is awaited, are not seen.
   */
  storedFingerprint(registry: string, slug: string): Promise<string | null>;
  /** The live profiles whose stack names this profile directly, by registry and slug. */
  stackDependents(registry: string, slug: string): Promise<ProfileRef[]>;
  /**
   * Rewrites the document (and stack refs) of each named profile, or removes it once the profile
   * or its registry is gone; returns the documents written, by slug.
   */
  writeProfileRows(state: RegistryState, slugs: Iterable<string>, fingerprintOf: FingerprintOf): Promise<Map<string, WrittenDocument>>;
  /** Writes the registry's own row (or removes it once the registry is deleted). */
  writeRegistryRow(state: RegistryState): Promise<void>;
  /** Records which profiles' fingerprints each event changed (the change feed); `hashOf` gives an event's chain hash. */
  writeAffected(affected: AffectedByPosition, hashOf: (position: number) => string): Promise<void>;
  /**
   * The live profiles whose document may name schema `name` of `kind` (a superset: the decider
   * reads each one's content from its registry's state and checks it).
   */
  schemaUsers(kind: SchemaKind, name: string): Promise<ProfileRef[]>;
  /** Rewrites the row of each named schema, or removes it once deleted. */
  writeSchemaRows(state: SchemaState, keys: Iterable<[SchemaKind, string]>): Promise<void>;
  readonly snapshots: SnapshotStore;
}
