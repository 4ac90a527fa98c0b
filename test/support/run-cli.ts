import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTracked } from './child-processes.js';
import { recordSeen } from './transcript.js';

/** The built command line (`npm test` builds before it runs the tests). */
export const CLI_MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would; the database comes from the arguments, never from the environment. */
export const runCli = async (
  args: string[],
  env: Record<string, string> = {},
  options: { cwd?: string } = {},
): Promise<CliResult> => {
  const { code, stdout, stderr } = await runTracked(process.execPath, [CLI_MAIN, ...args], {
    env: { ...process.env, PROFILE_REGISTRY_DB: '', PROFILE_REGISTRY_DSN: '', ...env },
    cwd: options.cwd,
    timeoutMs: 120_000,
  });
  if (!args.includes('--include-secrets')) recordSeen('cli', `profile-registry ${args.join(' ')}`, stdout + stderr);
  return { code, stdout, stderr };
};

/** Every file of a folder with its bytes: what "nothing written" compares. */
export const folderContents = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'latin1')]));
