import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built command line (`npm test` builds before it runs the tests). */
export const CLI_MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would; the database comes from the arguments, never from the environment. */
export const runCli = (args: string[], env: Record<string, string> = {}, options: { cwd?: string } = {}): Promise<CliResult> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_MAIN, ...args],
      {
        env: { ...process.env, PROFILE_REGISTRY_DB: '', PROFILE_REGISTRY_DSN: '', ...env },
        cwd: options.cwd,
        timeout: 120_000,
        maxBuffer: 1 << 28,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

/** Every file of a folder with its bytes: what "nothing written" compares. */
export const folderContents = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'latin1')]));
