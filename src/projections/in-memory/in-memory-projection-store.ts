import type { ProfileContent } from '../../domain/profile.js';
import type { AffectedProfile } from '../../events/change-feed.js';
import { createInMemorySnapshotStore } from '../../events/in-memory/in-memory-snapshot-store.js';
import type { UndoLog } from '../../events/in-memory/undo-log.js';
import type { RegistryState } from '../../events/registry-state.js';
import { schemaKey, type SchemaEntry } from '../../events/schema-state.js';
import { documentOf, type WrittenDocument } from '../project-registry.js';
import type { ProjectionStore } from '../projection-store.js';
import type { ProfileRef } from '../stack-dependents.js';

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byRef = (a: ProfileRef, b: ProfileRef): number => byCodeUnits(a.registry, b.registry) || byCodeUnits(a.profile, b.profile);

/**
 * The projector's write side in memory: documents (whose stacks are the dependents index),
 * registry rows, change-feed rows, schema rows and snapshots, in maps whose writes roll back with
 * `undo` (the event log's). Tombstone rows are not kept: nothing on the write side reads them.
 */
export const createInMemoryProjectionStore = (undo: UndoLog): ProjectionStore => {
  /** By `registry/slug`. */
  const documents = new Map<string, WrittenDocument>();
  const registries = new Map<string, RegistryState>();
  const affectedRows = new Map<number, AffectedProfile[]>();
  const schemas = new Map<string, SchemaEntry>();
  const keyOf = (registry: string, slug: string) => `${registry}/${slug}`;
  const refOf = (document: WrittenDocument): ProfileRef => ({ registry: document.registry, profile: document.profile.content.slug });
  return {
    storedFingerprint: async (registry, slug) => documents.get(keyOf(registry, slug))?.fingerprint ?? null,
    stackDependents: async (registry, slug) =>
      [...documents.values()]
        .filter((document) =>
          (document.profile.content.stack ?? []).some(
            (ref) => (ref.registry_slug ?? document.registry) === registry && ref.profile_slug === slug,
          ),
        )
        .map(refOf)
        .sort(byRef),
    writeProfileRows: async (state, slugs, fingerprintOf) => {
      const written = new Map<string, WrittenDocument>();
      if (!state.live) {
        for (const [key, document] of [...documents]) if (document.registry === state.slug) undo.delete(documents, key);
      }
      for (const slug of slugs) {
        const profile = state.live ? state.profiles.get(slug) : undefined;
        if (!profile) {
          undo.delete(documents, keyOf(state.slug, slug));
          continue;
        }
        const document = documentOf(state, profile, fingerprintOf);
        undo.set(documents, keyOf(state.slug, slug), document);
        written.set(slug, document);
      }
      return written;
    },
    writeRegistryRow: async (state) => (state.live ? undo.set(registries, state.slug, state) : undo.delete(registries, state.slug)),
    writeAffected: async (affected) => {
      for (const [position, profiles] of affected) undo.set(affectedRows, position, profiles);
    },
    schemaUsers: async (_kind, name) => {
      const named = JSON.stringify(name);
      const using: ProfileRef[] = [];
      for (const document of documents.values()) {
        if (registries.has(document.registry) && JSON.stringify(document.profile.content).includes(named)) using.push(refOf(document));
      }
      return using.sort(byRef);
    },
    writeSchemaRows: async (state, keys) => {
      for (const [kind, name] of keys) {
        const key = schemaKey(kind, name);
        const entry = state.entries.get(key);
        if (entry) undo.set(schemas, key, entry);
        else undo.delete(schemas, key);
      }
    },
    snapshots: createInMemorySnapshotStore(undo),
  };
};
