import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { tempDir } from '../support/test-store.js';

const SSE_WATCHERS = 1000;
const LONG_POLLS = 100;
const CROWD = fileURLToPath(new URL('../support/watch-crowd.mjs', import.meta.url));

interface Answer {
  status: number;
  body: string;
  complete: boolean;
}

describe('shutdown', () => {
  const { dir, remove } = tempDir();
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    remove();
  });

  it(`exits within 2 s of SIGTERM with ${LONG_POLLS} long polls and ${SSE_WATCHERS} SSE watchers open; long polls answer`, async () => {
    // all the watchers come from one address: lift the per-client cap above them
    server = await startServer(['--profile-registry-db', join(dir, 'profiles.db'), '--max-watchers-per-client', '2000']);
    // the clients live in another process: this one only times the server
    const crowd = spawn(process.execPath, [CROWD, server.url, String(SSE_WATCHERS), String(LONG_POLLS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: crowd.stdout })[Symbol.asyncIterator]();
    const nextLine = async () => JSON.parse(((await lines.next()).value as string | undefined) ?? 'null');

    // every watcher connected, and no long poll answered yet (each waits up to 10 s)
    expect(await nextLine()).toEqual({ open: { streams: SSE_WATCHERS, answeredEarly: 0 } });

    // the clients wait, stopped, while the server is timed (their answers wait in their sockets)
    crowd.kill('SIGSTOP');
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const tookMs = Date.now() - signalledAt;
    crowd.kill('SIGCONT');
    expect(exit, server.output()).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(2000);

    const { polls, streams } = (await nextLine()) as { polls: Answer[]; streams: { status: number; complete: boolean; watching: boolean }[] };
    expect(polls).toHaveLength(LONG_POLLS);
    for (const poll of polls) {
      expect(poll).toMatchObject({ status: 200, complete: true });
      expect(JSON.parse(poll.body)).toEqual({ changes: [], next_after: expect.any(Number), identity: expect.any(String) });
    }
    // every stream ended cleanly (not cut), so EventSource clients reconnect and resume
    expect(streams.filter((stream) => !(stream.status === 200 && stream.complete && stream.watching))).toEqual([]);
  }, 120_000);
});
