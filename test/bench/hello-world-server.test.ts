import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../bench/lib/spawn-server.js';

describe("the benchmarks' bare hello-world server", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer('dist/bench/hello-world-server.js', []);
  }, 60_000);
  afterAll(() => server.stop());

  it('answers /bytes/N with a JSON body of exactly N bytes, the same body each time', async () => {
    for (const count of [10, 4104, 8222]) {
      const answer = await fetch(`${server.url}/bytes/${count}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toContain('application/json');
      const body = await answer.text();
      expect(Buffer.byteLength(body)).toBe(count);
      expect(JSON.parse(body)).toEqual({ pad: 'x'.repeat(count - 10) });
      expect(await (await fetch(`${server.url}/bytes/${count}`)).text()).toBe(body);
    }
  });

  it('refuses a size it cannot answer with a 400 that says the range, and still serves afterwards', async () => {
    for (const count of ['9', '-1', '1.5', 'abc', String(2 ** 20 + 1)]) {
      const answer = await fetch(`${server.url}/bytes/${count}`);
      expect(answer.status, count).toBe(400);
      expect(await answer.json()).toEqual({ error: `count must be an integer from 10 to ${2 ** 20}` });
    }
    expect((await fetch(`${server.url}/hello`)).status).toBe(200);
    expect(Buffer.byteLength(await (await fetch(`${server.url}/bytes/${2 ** 20}`)).text())).toBe(2 ** 20);
  });
});
