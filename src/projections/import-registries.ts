import { sameContent } from '../domain/canonical-json.js';
import { DomainError } from '../domain/errors.js';
import { jsonPointer } from '../domain/json-schema-check.js';
import { profileSchemaErrors, schemaErrorDetail, type RegisteredSchema, type SchemaLookup } from '../domain/profile-schema-validation.js';
import type { RegistryContent } from '../domain/registry-bundle.js';
import { schemaNameOf, type BundleSchemas, type SchemaPolicies } from '../domain/schema-documents.js';
import type { CommandContext } from '../events/command-bus.js';
import type { SchemaCommand } from '../events/commands.js';

type PutSchema = Extract<SchemaCommand, { type: 'put_schema' }>;
import { decideSchema } from '../events/decide-schema.js';
import { schemaKey, schemaLookupOf } from '../events/schema-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES } from './projection-schema.js';
import type { RegistryStore } from './registry-store.js';
import { readProfilesUsingSchema } from './schema-projection.js';
import { readSchemaState } from './schema-reads.js';

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

const storedPolicies = async (db: SqlExecutor, registry: string): Promise<SchemaPolicies> => {
  const row = await db.get<{ header_json: string }>(`SELECT header_json FROM ${LIVE_TABLES.headers} WHERE slug = $1`, [registry]);
  return row ? (JSON.parse(row.header_json) as SchemaPolicies) : {};
};

/**
 * Judges the whole file before anything is written: every profile against the schemas it will be
 * governed by (the file's, else the stored ones), and every schema of the file against the stored
 * profiles it does not rewrite. A refusal names the first failing place in the file.
 */
const checkBeforeImport = async (store: RegistryStore, registries: readonly RegistryContent[], commands: PutSchema[]) => {
  const state = await readSchemaState(store.db);
  const stored = schemaLookupOf(state);
  const pending = new Map<string, RegisteredSchema>(
    commands.map((command) => [schemaKey(command.kind, command.name), { version: -1, schema: command.document.schema }]),
  );
  const lookup: SchemaLookup = (kind, name) => pending.get(schemaKey(kind, name)) ?? stored(kind, name);
  for (const registry of registries) {
    const current = await storedPolicies(store.db, registry.slug);
    const policies: SchemaPolicies = {
      unknown_middlewares: registry.unknown_middlewares ?? current.unknown_middlewares,
      unknown_extensions: registry.unknown_extensions ?? current.unknown_extensions,
    };
    for (const [slug, content] of Object.entries(registry.profiles)) {
      const errors = profileSchemaErrors(content, lookup, policies);
      if (errors.length === 0) continue;
      const located = errors.map((error) => ({ path: `${jsonPointer(['registries', registry.slug, 'profiles', slug])}${error.path}`, message: error.message }));
      throw new DomainError('validation', schemaErrorDetail(located), { errors: located });
    }
  }
  for (const command of commands) {
    decideSchema(state, command, await readProfilesUsingSchema(store.db, command.kind, command.name));
  }
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
 * Makes each registry of the store hold what the file says, one converge command (one
 * transaction) per registry; profiles the file does not name are kept. The file's schemas are
 * registered first. The whole file is judged before the first write, so a refused file writes nothing.
 */
export const importRegistries = async (
  store: RegistryStore,
  registries: readonly RegistryContent[],
  context: CommandContext,
  onImported?: (registry: RegistryContent) => void,
  schemas?: BundleSchemas,
): Promise<ImportOutcome[]> => {
  const commands = schemaCommands(schemas, registries);
  await checkBeforeImport(store, registries, commands);
  for (const command of commands) await store.execute(command, context);
  const outcomes: ImportOutcome[] = [];
  for (const registry of registries) {
    const { slug, ...target } = registry;
    const { events, rendered } = await store.execute(
      { type: 'converge_registry', registry: slug, target, prune: false },
      context,
    );
    outcomes.push({ registry: slug, events: events.length, version: rendered.registryVersion });
    onImported?.(registry);
  }
  return outcomes;
};
