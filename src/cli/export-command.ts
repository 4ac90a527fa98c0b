import { Command, InvalidArgumentError, Option } from 'commander';
import { bundleJson, bundleYaml } from '../domain/write-registry-bundle.js';
import { redactSecrets, SECRET_AREAS } from '../domain/secrets.js';
import { requireRegistrySlug } from '../domain/slug.js';
import { exportBundle } from '../projections/export-bundle.js';
import { openRegistryStore } from '../projections/registry-store.js';
import { databaseLocation, databaseOptions, type DatabaseFlags } from './database-options.js';
import { fileExists, writeFileAtomically } from './file-io.js';

interface ExportFlags extends DatabaseFlags {
  registry?: string;
  asOf?: number;
  output?: string;
  format: 'yaml' | 'json';
  includeSecrets?: boolean;
}

/** `--as-of`: epoch milliseconds or an RFC 3339 time. */
const parseAsOf = (value: string): number => {
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Date.parse(value);
  if (!Number.isSafeInteger(ms)) throw new InvalidArgumentError('must be epoch milliseconds or an RFC 3339 time');
  return ms;
};

/** Writes the store (or one registry, now or as of a time) as a canonical bundle. */
export const exportRegistries = async (flags: ExportFlags): Promise<void> => {
  const registry = flags.registry === undefined ? undefined : requireRegistrySlug(flags.registry);
  const location = databaseLocation(flags);
  const sqlitePath = location.dsn ? undefined : location.path;
  // opening a SQLite path creates the file: an export from a mistyped path must not leave one behind
  if (sqlitePath !== undefined && !(await fileExists(sqlitePath))) throw new Error(`database not found: ${sqlitePath}`);
  const store = await openRegistryStore(location);
  try {
    const exported = await exportBundle(store.db, { registry, asOfMs: flags.asOf });
    // an import of a redacted bundle into the same store keeps the stored secrets ("***" is kept as stored)
    const bundle = flags.includeSecrets ? exported : redactSecrets(exported, SECRET_AREAS.bundle);
    const text = flags.format === 'json' ? bundleJson(bundle) : bundleYaml(bundle);
    if (flags.output === undefined) process.stdout.write(text);
    else await writeFileAtomically(flags.output, text);
  } finally {
    await store.close();
  }
};

export const exportCommand = (): Command =>
  databaseOptions(new Command('export').description('write the registries as a canonical YAML (or JSON) bundle'))
    .option('--registry <slug>', 'only this registry')
    .option('--as-of <time>', 'as the registries were then (RFC 3339 or epoch ms)', parseAsOf)
    .option('--output <file>', 'write to this file (atomically) instead of stdout')
    .option('--include-secrets', 'write secrets (API keys, tokens, passwords) as stored instead of "***"')
    .addOption(
      new Option('--format <format>', 'yaml, or json (which imports much faster when large)').choices(['yaml', 'json']).default('yaml'),
    )
    .action(exportRegistries);
