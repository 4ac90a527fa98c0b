import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
export const HELLO = fileURLToPath(new URL('../hello-world-server.js', import.meta.url));

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

export interface RunningServer {
  url: string;
  child: ChildProcess;
  /** Milliseconds from spawn until /healthz answered. */
  startupMs: number;
  rssBytes(): number;
  cpuNs(): number;
  stop(): Promise<void>;
}

const waitForHealth = async (url: string, child: ChildProcess, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`server at ${url} did not become healthy in ${timeoutMs} ms`);
};

export const rssOf = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
};

/** Nanoseconds the process's threads have run on a CPU (Linux schedstat: exact, where /proc's ticks are 10 ms). */
export const cpuNsOf = (pid: number): number => {
  let ns = 0;
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns;
};

/**
 * Starts a node script as a server on a free port and waits until it answers (`nodeArgs` go to
 * node, before the script; a store whose chain is checked before listening needs a longer wait).
 */
export const startServer = async (
  script: string,
  args: string[],
  { nodeArgs = [], healthTimeoutMs = 120_000 }: { nodeArgs?: string[]; healthTimeoutMs?: number } = {},
): Promise<RunningServer> => {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, script, ...args.map((arg) => arg.replace('{port}', String(port)))], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, healthTimeoutMs);
  const startupMs = performance.now() - started;
  return {
    url,
    child,
    startupMs,
    rssBytes: () => rssOf(child.pid as number),
    cpuNs: () => cpuNsOf(child.pid as number),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
};

export const startRegistryServer = (dbPath: string, extra: string[] = []) =>
  startServer(CLI, ['serve', '--port', '{port}', '--profile-registry-db', dbPath, '--log-level', 'warn', '--no-seed', ...extra]);
