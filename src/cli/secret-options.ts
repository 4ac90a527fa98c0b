import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { useOperatorSecretKeys } from '../domain/secrets.js';

export interface SecretKeyFlags {
  secretKeys?: string[];
  secretKeysFile?: string;
}

const names = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== ''),
];

/**
 * `--secret-keys a,b` and `--secret-keys-file FILE` (one name a line, or comma-separated; `#`
 * starts a comment): key names that hold secrets besides the built-in ones. Every command that
 * prints, reads back or serves profiles takes them, so that one detector judges every path.
 */
export const secretKeyOptions = (command: Command): Command =>
  command
    .addOption(
      new Option('--secret-keys <names>', 'more key names whose values are secrets (comma-separated or repeated)')
        .env('PROFILE_REGISTRY_SECRET_KEYS')
        .argParser(names),
    )
    .addOption(new Option('--secret-keys-file <file>', 'a file of such key names, one a line').env('PROFILE_REGISTRY_SECRET_KEYS_FILE'));

/** `--include-secrets` of the commands that print profiles: without it they print "***". */
export const includeSecretsOption = (command: Command, what: string): Command =>
  command.option('--include-secrets', `${what} secrets (API keys, tokens, passwords) as stored instead of "***"`);

const namesInFile = (file: string): string[] => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read --secret-keys-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return text.split('\n').flatMap((line) => names(line.replace(/#.*/, ''), []));
};

/** Hands the operator's names to the detector (a commander preAction hook runs it for every command). */
export const applySecretKeyFlags = (flags: SecretKeyFlags): void => {
  const extra = [...(flags.secretKeys ?? []), ...(flags.secretKeysFile === undefined ? [] : namesInFile(flags.secretKeysFile))];
  if (extra.length > 0) useOperatorSecretKeys(extra);
};
