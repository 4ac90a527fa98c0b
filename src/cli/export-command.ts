import { Command, InvalidArgumentError, Option } from 'commander';
import { once } from 'node:events';
import type { RegistryContent } from '../domain/registry-bundle.js';
import { bundleTextParts } from '../domain/write-registry-bundle.js';
import { redactSecrets, SECRET_AREAS } from '../domain/secrets.js';
import { requireRegistrySlug } from '../domain/slug.js';
import { exportedRegistries, exportedSchemas } from '../use-cases/export-bundle.js';
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

/** Writes text as it comes, waiting while stdout's buffer is full. */
const writeToStdout = async (parts: AsyncIterable<string>): Promise<void> => {
  for await (const part of parts) if (!process.stdout.write(part)) await once(process.stdout, 'drain');
};

/** Writes the store (or one registry, now or as of a time) as a canonical bundle, a registry at a time. */
export const exportRegistries = async (flags: ExportFlags): Promise<void> => {
  const registry = flags.registry === undefined ? undefined : requireRegistrySlug(flags.registry);
  if (flags.output !== undefined) await checkOutputFile(flags.output, flags.force);
  const bar = progressBar('export [{bar}] {value}/{total} registries', { delayMs: PROGRESS_AFTER_MS });
  await withReadOnlyDatabase(flags, (db) =>
    namingRegistry(db, registry ?? '', flags.asOf, async () => {
      const options = { registry, asOfMs: flags.asOf, onProgress: (done: number, total: number) => bar.update(done, total) };
      let exported: RegistryContent | undefined;
      const registries = async function* () {
        for await (const content of exportedRegistries(db, options)) yield (exported = content);
      };
      const parts = bundleTextParts(registries(), () => exportedSchemas(db, options, exported), {
        format: flags.format,
        // an import of a redacted bundle into the same store keeps the stored secrets ("***" is kept as stored)
        shown: flags.includeSecrets ? undefined : (bundle) => redactSecrets(bundle, SECRET_AREAS.bundle),
      });
      // one registry's absence is found before a byte is written: its bundle is the first part
      const first = await parts.next();
      const rest = async function* () {
        if (!first.done) yield first.value;
        yield* parts;
      };
      if (flags.output === undefined) await writeToStdout(rest());
      else await writeFileAtomically(flags.output, rest(), { force: flags.force });
    }),
  ).finally(() => bar.stop());
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
