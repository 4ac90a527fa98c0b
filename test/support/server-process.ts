import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { spawnTracked } from './child-processes.js';
import { recordSeen } from './transcript.js';

const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<number | null>;
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

const waitUntilReady = async (url: string, server: ServerProcess, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let exitedEarly = false;
  void server.exited.then(() => (exitedEarly = true));
  while (Date.now() < deadline && !exitedEarly) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server at ${url} did not become ready:\n${server.output()}`);
};

/** Starts `profile-registry serve` (the built dist/) on a free port, with these database flags. */
export const startServer = async (
  databaseFlags: string[],
  options: { logLevel?: string; readyTimeoutMs?: number } = {},
): Promise<ServerProcess> => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  const port = await freePort();
  const env = { ...process.env };
  delete env.PROFILE_REGISTRY_DSN; // the flags given must choose the database
  const child = spawnTracked(
    process.execPath,
    [MAIN, 'serve', '--host', '127.0.0.1', '--port', String(port), ...databaseFlags, '--log-level', options.logLevel ?? 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  void exited.then(() => recordSeen('log', 'server log', output));
  const server: ServerProcess = {
    url: `http://127.0.0.1:${port}`,
    child,
    exited,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return (await exited).code;
    },
  };
  try {
    await waitUntilReady(server.url, server, options.readyTimeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return server;
};
