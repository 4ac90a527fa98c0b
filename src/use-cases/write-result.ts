import type { Renderers } from '../events/command-bus.js';
import { profileNamedBy } from '../events/commands.js';
import { schemaKey } from '../events/schema-state.js';
import type { WrittenDocument } from '../projections/project-registry.js';
import type { ProjectedChange } from '../projections/projector.js';
import { registryPayloadJson } from '../projections/registry-serialization.js';
import { schemaDocumentJson, schemaMetadataJson, schemaReadJson } from '../projections/schema-projection.js';

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

/**
 * A write's result, per stream kind, from the command's change and what the projector wrote: the
 * document of the profile a registry command names (as written), else the registry it left; the
 * schema a schema command left. Built inside the command's savepoint, so an idempotent response
 * is recorded beside it.
 */
export const writeResults: Renderers<ProjectedChange, WriteResult> = {
  registry: (change, projected) => {
    const state = change.after;
    if (!state) return { registryVersion: 0 };
    const named = profileNamedBy(change.command);
    const result: WriteResult = { registryVersion: state.version, document: named ? projected.documents.get(named) : undefined };
    if (named === undefined && state.live) result.registryJson = registryPayloadJson(state);
    return result;
  },
  schemas: (change) => {
    const key = schemaKey(change.command.kind, change.command.name);
    const entry = change.after.entries.get(key);
    return {
      registryVersion: change.after.version,
      schemaJson: entry && schemaReadJson(schemaDocumentJson(entry), schemaMetadataJson(entry)),
      created: entry !== undefined && !change.before.entries.has(key),
    };
  },
};
