import { Option, type Command } from 'commander';
import { parseSigningKeys, type SigningKeys } from '../domain/signing-keys.js';
import { readInputFile } from './file-io.js';

export interface SigningKeysFlags {
  signingKeysFile?: string;
}

/** `--signing-keys-file` (env PROFILE_REGISTRY_SIGNING_KEYS_FILE): YAML or JSON `keys: [{id, secret}]`. */
export const signingKeysOption = (command: Command): Command =>
  command.addOption(
    new Option('--signing-keys-file <file>', 'HMAC keys, YAML or JSON `keys: [{id, secret}]`: the last signs, every one verifies').env(
      'PROFILE_REGISTRY_SIGNING_KEYS_FILE',
    ),
  );

export const readSigningKeys = async (flags: SigningKeysFlags): Promise<SigningKeys | undefined> => {
  if (flags.signingKeysFile === undefined) return undefined;
  const text = await readInputFile(flags.signingKeysFile);
  try {
    return parseSigningKeys(text);
  } catch (error) {
    throw new Error(`${(error as Error).message} (${flags.signingKeysFile})`);
  }
};

export const requireSigningKeys = async (flags: SigningKeysFlags, why: string): Promise<SigningKeys> => {
  const keys = await readSigningKeys(flags);
  if (!keys) throw new Error(`${why} needs --signing-keys-file`);
  return keys;
};
