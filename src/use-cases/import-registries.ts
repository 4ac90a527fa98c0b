import { sameContent } from '../domain/canonical-json.js';
import type { RegistryContent } from '../domain/registry-bundle.js';
import { schemaNameOf, type BundleSchemas } from '../domain/schema-documents.js';
import type { CommandContext } from '../events/command-bus.js';
import type { SchemaCommand, StoreCommand } from '../events/commands.js';
import { schemaKey } from '../events/schema-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import type { RegistryStore } from './registry-store.js';
import { readSchemaState } from '../projections/schema-reads.js';

type PutSchema = Extract<SchemaCommand, { type: 'put_schema' }>;

export interface ImportOutcome {
  registry: string;
  /** Events appended (0 when the store already matched). */
  events: number;
  version: number;
}

/** The commands that register a bundle's schemas; profiles the import rewrites are judged by their new content. */
const schemaCommands = (schemas: BundleSchemas | undefined, registries: readonly RegistryContent[]): PutSchema[] => {
  const exempt = registries.flatMap((registry) => Object.keys(registry.profiles).map((slug) => `${registry.slug}/${slug}`));
  const documents = [
    ...(schemas?.middlewares ?? []).map((document) => ['middleware', document] as const),
    ...(schemas?.extensions ?? []).map((document) => ['extension', document] as const),
  ];
  return documents.map(([kind, document]) => ({ type: 'put_schema', kind, name: schemaNameOf(document), document, exempt }));
};

/** The schemas of a file that differ from the registered ones (`kind/name`): what importing it would change for everyone. */
export const schemasChangedBy = async (db: SqlExecutor, schemas: BundleSchemas | undefined): Promise<string[]> => {
  const commands = schemaCommands(schemas, []);
  if (commands.length === 0) return [];
  const state = await readSchemaState(db);
  return commands
    .filter((command) => {
      const current = state.entries.get(schemaKey(command.kind, command.name));
      return current === undefined || !sameContent(current.document, command.document);
    })
    .map((command) => `${command.kind}/${command.name}`);
};

/**
 * Makes each registry of the store hold what the file says, one converge command per registry;
 * profiles the file does not name are kept. The file's schemas are registered first. Every command
 * goes through the command bus as one unit (one savepoint), so the bus's judge refuses a file in
 * one place and a refused file writes nothing; a refused profile is named by its place in the
 * file. The events say they come from an import (`metadata.cause`).
 */
export const importRegistries = async (
  store: RegistryStore,
  registries: readonly RegistryContent[],
  context: CommandContext,
  onImported?: (registry: RegistryContent) => void,
  schemas?: BundleSchemas,
): Promise<ImportOutcome[]> => {
  const schemaPuts = schemaCommands(schemas, registries);
  const converges: StoreCommand[] = registries.map(({ slug, source_versions: _sourceVersions, ...target }) => ({
    type: 'converge_registry',
    registry: slug,
    target,
    prune: false,
    errors_under: ['registries', slug, 'profiles'],
  }));
  const sourceVersions = new Map(
    registries.flatMap((registry) => Object.entries(registry.source_versions ?? {}).map(([slug, version]) => [`${registry.slug}/${slug}`, version] as const)),
  );
  const outcomes = await store.executeAll([...schemaPuts, ...converges], {
    ...context,
    cause: { type: 'import' },
    ...(sourceVersions.size > 0 ? { source_versions: sourceVersions } : {}),
  });
  return registries.map((registry, index) => {
    const { events, rendered } = outcomes[schemaPuts.length + index];
    onImported?.(registry);
    return { registry: registry.slug, events: events.length, version: rendered.registryVersion };
  });
};
