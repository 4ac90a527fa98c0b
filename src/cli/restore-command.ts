import { signingKeysOption } from './signing-keys-option.js';
import { Command, InvalidArgumentError } from 'commander';
import { parseAsOf, parseVersionNumber } from '../domain/past-point.js';
import { requireRegistrySlug } from '../domain/slug.js';
import { restoreRegistry } from '../use-cases/restore.js';
import { createReadOnlyJudge } from '../use-cases/registry-store.js';
import { databaseOptions, type DatabaseFlags } from './database-options.js';
import { cliContext, withReadOnlyDatabase, withStore } from './cli-store.js';
import { namingRegistry } from './registry-errors.js';
import { includeSecretsOption, secretKeyOptions } from './secret-options.js';
import { redactChanges, SECRET_AREAS } from '../domain/secrets.js';

interface RestoreFlags extends DatabaseFlags {
  registry: string;
  toVersion?: number;
  asOf?: number;
  dryRun: boolean;
  includeSecrets?: boolean;
}

const asArgument =
  <T>(parse: (raw: string) => T) =>
  (raw: string): T => {
    try {
      return parse(raw);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };

export const restoreCommand = (): Command =>
  signingKeysOption(includeSecretsOption(
    secretKeyOptions(databaseOptions(new Command('restore').description('bring a whole registry back to a past version or time, as new events'))),
    'print the changes with',
  ))
    .requiredOption('--registry <slug>', 'registry')
    .option('--to-version <n>', 'registry version to go back to', asArgument((raw) => parseVersionNumber(raw, 'to-version')))
    .option('--as-of <time>', 'RFC 3339 time or epoch milliseconds to go back to', asArgument((raw) => parseAsOf(raw, 'as-of')))
    .option('--dry-run', 'print the changes and write nothing', false)
    .action(async (flags: RestoreFlags) => {
      const registry = requireRegistrySlug(flags.registry);
      if ((flags.toVersion === undefined) === (flags.asOf === undefined)) {
        throw new Error('give exactly one of --to-version and --as-of');
      }
      const point = flags.toVersion !== undefined ? { version: flags.toVersion } : { atMs: flags.asOf as number };
      const options = { dryRun: flags.dryRun, context: cliContext() };
      const atMs = 'atMs' in point ? point.atMs : undefined;
      const result = flags.dryRun
        ? await withReadOnlyDatabase(flags, (db) =>
            namingRegistry(db, registry, atMs, async () => {
              // a dry run asks the command bus's judge, which writes nothing: the file stays read-only
              const judge = createReadOnlyJudge(db);
              try {
                return await restoreRegistry({ db, ...judge }, registry, point, options);
              } finally {
                await judge.close();
              }
            }),
          )
        : await withStore(flags, (store) => namingRegistry(store.db, registry, atMs, () => restoreRegistry(store, registry, point, options)));
      const changes = flags.includeSecrets ? result.changes : redactChanges(result.changes, SECRET_AREAS.registry);
      for (const change of changes) process.stdout.write(`${JSON.stringify(change)}\n`);
      process.stdout.write(
        flags.dryRun
          ? `dry run: ${result.changes.length} changes to registry "${registry}" (at version ${result.version}), nothing written\n`
          : `restored registry "${registry}": ${result.changes.length} changes, now at version ${result.version}\n`,
      );
    });
