import { createServer, type Server, type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { describeOnPostgres } from '../support/backends.js';
import { PG_URL } from '../support/postgres.js';
import { probePostgres } from '../support/postgres-probe.js';
import { freePort } from '../support/server-process.js';

/** A TCP front of PostgreSQL that resets the first `resets` connections, then passes the rest through. */
const flakyFront = async (resets: number): Promise<{ url: string; connections: () => number; server: Server }> => {
  const target = new URL(PG_URL);
  let seen = 0;
  const server = createServer((socket: Socket) => {
    seen += 1;
    if (seen <= resets) return void socket.resetAndDestroy();
    const upstream = connect({ host: target.hostname, port: Number(target.port || 5432) });
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = new URL(PG_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return { url: url.toString(), connections: () => seen, server };
};

describe('the PostgreSQL probe of the test suite', () => {
  let front: Server | undefined;
  afterEach(() => front?.close());

  it('skips only when the connection is refused, and never when PostgreSQL is required (CI)', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/test`;
    expect(await probePostgres(url, { required: false })).toMatch(/unreachable \(.*ECONNREFUSED/);
    await expect(probePostgres(url, { required: true })).rejects.toThrow(/PostgreSQL is required \(PROFILE_REGISTRY_REQUIRE_PG=1\)/);
  });

  it('fails (no skip) when connections keep being reset, after trying again', async () => {
    const flaky = await flakyFront(Number.POSITIVE_INFINITY);
    front = flaky.server;
    await expect(probePostgres(flaky.url, { required: false, attempts: 3, delayMs: 10 })).rejects.toThrow(/fail rather than skip/);
    expect(flaky.connections()).toBe(3);
  });
});

describeOnPostgres('the PostgreSQL probe against a PostgreSQL that resets connections under load', () => {
  let front: Server | undefined;
  afterEach(() => front?.close());

  it('tries again after ECONNRESET and finds PostgreSQL (the tests run, none is skipped)', async () => {
    const flaky = await flakyFront(2);
    front = flaky.server;
    expect(await probePostgres(flaky.url, { required: false, delayMs: 10 })).toBeUndefined();
    expect(flaky.connections()).toBe(3);
  });
});
