import { signingKeysOption } from './signing-keys-option.js';
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { nanoid } from 'nanoid';
import { readProfilesFile } from '../domain/profiles-file.js';
import { profileCount } from '../domain/registry-bundle.js';
import type { BundleSchemas } from '../domain/schema-documents.js';
import { DEFAULT_REGISTRY } from '../events/registry-state.js';
import { importRegistries } from '../use-cases/import-registries.js';
import { databaseOptions, type DatabaseFlags } from './database-options.js';
import { openWritableStore } from './cli-store.js';
import { progressBar } from './progress-bar.js';
import { secretKeyOptions } from './secret-options.js';
import { readInputFile } from './file-io.js';

interface ImportFlags extends DatabaseFlags {
  actor: string;
}

/** Files with at least this many profiles show a progress bar on a terminal. */
const PROGRESS_THRESHOLD = 1000;
/** Parsing a YAML file this large takes seconds: say so on a terminal. */
const LARGE_FILE_CHARS = 1_000_000;

const defaultActor = (): string => {
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
};

const schemaLine = (schemas: BundleSchemas | undefined): string[] =>
  schemas === undefined ? [] : [`Schemas: ${schemas.middlewares.length + schemas.extensions.length}`];

/** Imports a bundle, a single registry or a legacy map into the store, one transaction per registry. */
export const importFile = async (file: string, flags: ImportFlags): Promise<void> => {
  const text = await readInputFile(file);
  const onTerminal = process.stderr.isTTY === true;
  if (onTerminal && text.length >= LARGE_FILE_CHARS) {
    process.stderr.write(`reading ${(text.length / 1e6).toFixed(1)} MB from ${file}...\n`);
  }
  const { format, registries, schemas } = readProfilesFile(text, DEFAULT_REGISTRY);
  const profiles = profileCount(registries);
  const store = await openWritableStore(flags, { mayCreate: true });
  const bar = profiles >= PROGRESS_THRESHOLD ? progressBar('importing [{bar}] {value}/{total} profiles') : undefined;
  bar?.update(0, profiles);
  let imported = 0;
  try {
    const context = { actor: flags.actor, source: 'import', request_id: nanoid(12) };
    const outcomes = await importRegistries(
      store,
      registries,
      context,
      (registry) => bar?.update((imported += Object.keys(registry.profiles).length), profiles),
      schemas,
    );
    bar?.stop();
    const events = outcomes.reduce((sum, outcome) => sum + outcome.events, 0);
    process.stdout.write(
      [`Input: ${file}`, `Input format: ${format}`, `Registries: ${registries.length}`, `Profiles: ${profiles}`, ...schemaLine(schemas), `Events: ${events}`]
        .map((line) => `${line}\n`)
        .join(''),
    );
  } finally {
    bar?.stop();
    await store.close();
  }
};

export const importCommand = (): Command =>
  signingKeysOption(secretKeyOptions(databaseOptions(new Command('import').description('import a registries bundle, a single registry or a legacy profiles.yaml'))))
    .argument('<file>', 'YAML or JSON file')
    .option('--actor <name>', 'who the import events are attributed to', defaultActor())
    .action(importFile);
