import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Every server or CLI process a test starts goes through here: each leads its own process group,
 * and teardown (afterAll of every test file, see kill-children.ts, and the worker's exit) kills
 * the group, whatever the tests' outcome, so nothing a test started (nor what that started,
 * like a benchmark's server) outlives it.
 */
const started = new Set<ChildProcess>();

const killGroup = (child: ChildProcess): void => {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
};

export const spawnTracked = (command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess => {
  const child = spawn(command, args, { ...options, detached: true });
  started.add(child);
  return child;
};

/** Kills every process group started since the last call. */
export const killTrackedChildren = (): void => {
  for (const child of started) killGroup(child);
  started.clear();
};

process.once('exit', killTrackedChildren);

export interface RunResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed with its group after `timeoutMs`) and gives its exit code and output. */
export const runTracked = (
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const child = spawnTracked(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => killGroup(child), options.timeoutMs ?? 120_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, signal, stdout, stderr });
    });
  });
