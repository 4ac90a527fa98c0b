import { Command, InvalidArgumentError, Option } from 'commander';
import { bundleJson, bundleYaml } from '../domain/write-registry-bundle.js';
import { redactSecrets, SECRET_AREAS } from '../domain/secrets.js';
import { requireRegistrySlug } from '../domain/slug.js';
import { exportBundle } from '../use-cases/export-bundle.js';
import { databaseOptions, type DatabaseFlags } from './database-options.js';
import { withReadOnlyDatabase } from './cli-store.js';
import { checkOutputFile, writeFileAtomically } from './file-io.js';
import { progressBar, PROGRESS_AFTER_MS } from './progress-bar.js';
import { namingRegistry } from './registry-errors.js';
import { includeSecretsOption, secretKeyOptions } from './secret-options.js';

interface ExportFlags extends DatabaseFlags {
  registry?: string;
  asOf?: number;
  output?: string;
  force: boolean;
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
  if (flags.output !== undefined) await checkOutputFile(flags.output, flags.force);
  const bar = progressBar('export [{bar}] {value}/{total} registries', { delayMs: PROGRESS_AFTER_MS });
  const text = await withReadOnlyDatabase(flags, async (db) => {
    const exported = await namingRegistry(db, registry ?? '', flags.asOf, () =>
      exportBundle(db, { registry, asOfMs: flags.asOf, onProgress: (done, total) => bar.update(done, total) }),
    );
    // an import of a redacted bundle into the same store keeps the stored secrets ("***" is kept as stored)
    const bundle = flags.includeSecrets ? exported : redactSecrets(exported, SECRET_AREAS.bundle);
    return flags.format === 'json' ? bundleJson(bundle) : bundleYaml(bundle);
  }).finally(() => bar.stop());
  if (flags.output === undefined) process.stdout.write(text);
  else await writeFileAtomically(flags.output, text, { force: flags.force });
};

export const exportCommand = (): Command =>
  includeSecretsOption(
    secretKeyOptions(databaseOptions(new Command('export').description('write the registries as a canonical YAML (or JSON) bundle'))),
    'write',
  )
    .option('--registry <slug>', 'only this registry')
    .option('--as-of <time>', 'as the registries were then (RFC 3339 or epoch ms)', parseAsOf)
    .option('--output <file>', 'write to this file (atomically) instead of stdout')
    .option('--force', 'overwrite the --output file if it exists', false)
    .addOption(
      new Option('--format <format>', 'yaml, or json (which imports much faster when large)').choices(['yaml', 'json']).default('yaml'),
    )
    .action(exportRegistries);
