import { constants } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { detectInputFormat } from '../domain/input-format.js';
import { registriesOf } from '../domain/profiles-file.js';
import { redactSecrets, SECRET_AREAS } from '../domain/secrets.js';
import { profileCount } from '../domain/registry-bundle.js';
import { bundleYaml, registryBundle } from '../domain/write-registry-bundle.js';
import { requireRegistrySlug } from '../domain/slug.js';
import { DEFAULT_REGISTRY } from '../events/registry-state.js';
import { fileErrorCause } from '../domain/file-errors.js';
import { checkOutputFile, readInputFile, writeFileAtomically } from './file-io.js';
import { secretKeyOptions } from './secret-options.js';
import { readSigningKeys, signingKeysOption, type SigningKeysFlags } from './signing-keys-option.js';

interface MigrateLegacyFlags extends SigningKeysFlags {
  input: string;
  output?: string;
  registry: string;
  inPlace?: boolean;
  backupInPlace: boolean;
  force?: boolean;
  dryRun?: boolean;
  skipIfNotLegacy?: boolean;
}

/** `--backup-in-place`, `--backup-in-place=false` (cobra style) or `--no-backup-in-place`. */
const parseBoolean = (value: string): boolean => {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new InvalidArgumentError('must be true or false');
};

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/**
 * Copies `input` to `input.bak`, or when that exists to the first free `input.bak.1`,
 * `input.bak.2`, ...: a second in-place run keeps the original's copy. The copy never replaces a
 * file (COPYFILE_EXCL), also when two runs race for the same name.
 */
const copyToFreeBackupName = async (input: string): Promise<string> => {
  for (let n = 0; ; n += 1) {
    const backup = n === 0 ? `${input}.bak` : `${input}.bak.${n}`;
    try {
      await copyFile(input, backup, constants.COPYFILE_EXCL);
      return backup;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot write ${backup}: ${fileErrorCause(error)}`);
    }
  }
};

/** Converts a legacy profiles.yaml (or any profiles file) into a canonical `registries:` bundle, as pinocchio does. */
export const migrateLegacy = async (flags: MigrateLegacyFlags): Promise<void> => {
  const registry = requireRegistrySlug(flags.registry);
  // taken like every command's (one environment serves them all) and checked, though a bundle file holds no seal
  await readSigningKeys(flags);
  const output = flags.inPlace ? flags.input : (flags.output ?? `${flags.input}.registry.yaml`);
  const detected = detectInputFormat(await readInputFile(flags.input));
  const summary = [`Input: ${flags.input}`, `Input format: ${detected.format}`];
  if (flags.skipIfNotLegacy && detected.format !== 'legacy-map' && detected.format !== 'invalid') {
    for (const line of summary) print(line);
    print('Skipped: input is not a legacy profile map');
    return;
  }
  const registries = registriesOf(detected, registry);
  const bundle = registryBundle(registries);
  summary.push(`Output: ${output}${flags.dryRun ? ' (dry run: nothing written)' : ''}`);
  summary.push(`Registries: ${registries.length}`, `Profiles: ${profileCount(registries)}`);
  if (flags.dryRun) {
    for (const line of summary) process.stderr.write(`${line}\n`);
    // a preview lands on terminals and CI logs: it shows "***" for secrets; the written file keeps them
    process.stdout.write(bundleYaml(redactSecrets(bundle, SECRET_AREAS.bundle)));
    return;
  }
  const force = Boolean(flags.inPlace || flags.force);
  await checkOutputFile(output, force);
  if (flags.inPlace && flags.backupInPlace) {
    summary.push(`Backup: ${await copyToFreeBackupName(flags.input)}`);
  }
  await writeFileAtomically(output, bundleYaml(bundle), { force });
  for (const line of summary) print(line);
};

export const migrateLegacyCommand = (): Command =>
  signingKeysOption(secretKeyOptions(new Command('migrate-legacy')))
    .description("convert pinocchio's legacy profiles.yaml into a canonical registries bundle")
    .requiredOption('--input <file>', 'the legacy profiles.yaml (or any profiles file)')
    .option('--output <file>', 'where to write the bundle (default: <input>.registry.yaml)')
    .option('--registry <slug>', 'registry of the migrated profiles', DEFAULT_REGISTRY)
    .option('--in-place', 'replace the input file with the bundle')
    .option('--backup-in-place [bool]', 'with --in-place, first copy the input to <input>.bak', parseBoolean, true)
    .option('--no-backup-in-place', 'with --in-place, make no backup')
    .option('--force', 'overwrite an existing output file')
    .option('--dry-run', 'print the bundle (secrets as "***"), write nothing')
    .option('--skip-if-not-legacy', 'do nothing (exit 0) when the input is not a legacy profile map')
    .action(migrateLegacy);
