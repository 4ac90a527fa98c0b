import { Command } from 'commander';
import { nanoid } from 'nanoid';
import { pinocchioRegistries } from '../domain/pinocchio-registries.js';
import { profileCount } from '../domain/registry-bundle.js';
import { redactSecrets, SECRET_AREAS } from '../domain/secrets.js';
import { bundleYaml, registryBundle } from '../domain/write-registry-bundle.js';
import { readPinocchioDatabase } from '../events/sqlite/read-pinocchio-database.js';
import { importRegistries } from '../use-cases/import-registries.js';
import { databaseOptions, type DatabaseFlags } from './database-options.js';
import { openWritableStore } from './cli-store.js';
import { signingKeysOption, type SigningKeysFlags } from './signing-keys-option.js';

interface MigratePinocchioFlags extends DatabaseFlags, SigningKeysFlags {
  from: string;
  dryRun: boolean;
}

/** Who the migration's events are attributed to, and their source. */
const MIGRATION = 'migration';

const lines = (text: string[]): string => text.map((line) => `${line}\n`).join('');

/**
 * Moves the registries of a pinocchio database (its `profile_registries` table) into this store
 * through the import path: one converge per registry, events by actor `migration`, sealed with the
 * signing key when `--signing-keys-file` is given. Pinocchio's file is only read. A second run finds nothing to change and appends nothing.
 */
export const migratePinocchio = async (flags: MigratePinocchioFlags): Promise<void> => {
  const registries = pinocchioRegistries(readPinocchioDatabase(flags.from));
  const summary = [`From: ${flags.from}`, `Registries: ${registries.length}`, `Profiles: ${profileCount(registries)}`];
  if (flags.dryRun) {
    process.stderr.write(lines([...summary, 'Dry run: nothing written']));
    // a preview lands on terminals and CI logs: secrets read "***"
    process.stdout.write(bundleYaml(redactSecrets(registryBundle(registries), SECRET_AREAS.bundle)));
    return;
  }
  const store = await openWritableStore(flags, { mayCreate: true });
  try {
    const context = { actor: MIGRATION, source: MIGRATION, request_id: `${MIGRATION}-${nanoid(12)}` };
    const outcomes = await importRegistries(store, registries, context);
    const events = outcomes.reduce((sum, outcome) => sum + outcome.events, 0);
    const perRegistry = outcomes.map((outcome, index) => {
      const profiles = Object.keys(registries[index].profiles).length;
      return `Registry ${outcome.registry}: ${profiles} profiles, ${outcome.events} events, now at version ${outcome.version}`;
    });
    process.stdout.write(lines([...summary, `Into: ${store.db.location}`, ...perRegistry, `Events: ${events} (actor ${MIGRATION})`]));
  } finally {
    await store.close();
  }
};

export const migratePinocchioCommand = (): Command =>
  signingKeysOption(
    databaseOptions(
      new Command('migrate-pinocchio').description(
        "move the registries of pinocchio's SQLite profile database (profile_registries) into this store, as events by actor migration",
      ),
    ),
  )
    .requiredOption('--from <file>', "pinocchio's database (its --profile-registry-db), read only")
    .option('--dry-run', 'print what would be imported (secrets as "***"), write nothing', false)
    .action(migratePinocchio);
