import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTracked } from '../support/child-processes.js';
import { CLI_MAIN } from '../support/run-cli.js';
import { tempDir } from '../support/test-store.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const { dir: npmCaches, remove: removeNpmCaches } = tempDir();
let launches = 0;

interface Launched {
  launcher: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
  serverPid: number;
  url: string;
}

/**
 * Starts a server the way an operator does (through npm, npx or the bin) on port 0, and waits
 * for its "listening" log line, which names the server's own process and its address.
 */
const launch = async (command: string, args: string[]): Promise<Launched> => {
  const env = { ...process.env };
  delete env.PROFILE_REGISTRY_DSN;
  delete env.PROFILE_REGISTRY_DB;
  // as from a shell: not inside the test run's own npm script
  for (const name of Object.keys(env)) if (name.startsWith('npm_')) delete env[name];
  // npx's cache of its own: two npx runs installing into one cache at once trip over each other
  env.npm_config_cache = join(npmCaches, String(launches++));
  const launcher = spawnTracked(command, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  launcher.stdout?.on('data', (chunk) => (output += chunk));
  launcher.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    launcher.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const line = output.split('\n').find((text) => text.includes('"profile-registry listening"'));
    if (line) {
      const { pid, address } = JSON.parse(line) as { pid: number; address: string };
      return { launcher, exited, output: () => output, serverPid: pid, url: address };
    }
    if (launcher.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${command} ${args.join(' ')} did not start:\n${output}`);
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const portOpen = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const gone = async (pid: number, timeoutMs = 10_000): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return !alive(pid);
};

describe('signals reach the server', () => {
  const { dir, remove } = tempDir();
  afterAll(remove);
  afterAll(removeNpmCaches);

  const serveArgs = (name: string) => ['--port', '0', '--profile-registry-db', join(dir, name, 'profiles.db'), '--log-level', 'info'];

  /** SIGTERM to the launcher's process only (not its group, as `kill PID` or a supervisor does). */
  const terminate = async (server: Launched, signal: NodeJS.Signals = 'SIGTERM') => {
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready' });
    // a long poll in flight when the signal comes: draining answers it (empty) instead of cutting it
    const poll = fetch(`${server.url}/api/watch?wait=30`, { headers: { accept: 'application/json' } }).then(async (response) => ({ status: response.status, body: await response.json() }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.launcher.kill(signal);
    const answer = await poll;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ changes: [] });
    expect(await gone(server.serverPid), `server ${server.serverPid} still runs:\n${server.output()}`).toBe(true);
    expect(await portOpen(server.url)).toBe(false);
    expect(server.output()).toContain('shutting down');
    return server.exited;
  };

  it('`npm start -- --port 0`: SIGTERM to npm drains the server, which exits; npm exits with its code 0', async () => {
    const server = await launch('npm', ['start', '--', ...serveArgs('npm-start')]);
    expect(server.serverPid).not.toBe(server.launcher.pid);
    expect(await terminate(server)).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('"signal":"SIGTERM"');
  });

  it('`npm start`: SIGINT to npm (a supervisor, not the terminal) stops the server too', async () => {
    const server = await launch('npm', ['start', '--', ...serveArgs('npm-int')]);
    expect(await terminate(server, 'SIGINT')).toEqual({ code: 0, signal: null });
  });

  it('`npx profile-registry serve`: SIGTERM to npx leaves no server behind', async () => {
    const server = await launch('npx', ['profile-registry', 'serve', ...serveArgs('npx')]);
    expect(server.serverPid).not.toBe(server.launcher.pid);
    const exit = await terminate(server);
    // npx dies of the signal it passed on; the server, which npm's shell did not pass it to, followed
    expect(exit.signal ?? exit.code).not.toBe(0);
    expect(server.output()).toContain('"signal":"launcher exited"');
  });

  it('the bin itself: SIGTERM drains and exits 0', async () => {
    const server = await launch(CLI_MAIN, ['serve', ...serveArgs('bin')]);
    expect(server.serverPid).toBe(server.launcher.pid);
    expect(await terminate(server)).toEqual({ code: 0, signal: null });
  });

  it('a server started directly outlives its parent shell (nohup style): only npm launches are followed', async () => {
    const shell = await launch('sh', ['-c', `"${CLI_MAIN}" serve ${serveArgs('nohup').join(' ')} & wait`]);
    expect(shell.serverPid).not.toBe(shell.launcher.pid);
    // the shell goes away without a word to the server (as when its terminal closes under nohup)
    shell.launcher.kill('SIGKILL');
    await shell.exited;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(alive(shell.serverPid)).toBe(true);
    expect(await (await fetch(`${shell.url}/readyz`)).json()).toEqual({ status: 'ready' });
    process.kill(shell.serverPid, 'SIGTERM');
    expect(await gone(shell.serverPid)).toBe(true);
  });
});
