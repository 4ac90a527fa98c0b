import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CLI_MAIN } from './run-cli.js';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop: () => Promise<number | null>;
}

/** Starts the built server on a free port and resolves once it listens. */
export const startServer = (args: string[]): Promise<ServerProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--port', '0', '--log-level', 'info', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; address?: string };
      if (entry.msg === 'profile-registry listening' && entry.address) {
        resolve({
          url: entry.address,
          child,
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
  });
