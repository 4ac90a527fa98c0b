// Makes V8's code cache of dist/src/cli/program.cjs (src/cli/code-cache.ts): runs `serve` from the
// bundle on a new database in a temporary folder, waits for its first answer to /healthz, writes
// the cache (the script with the functions its start compiled) and exits. Run by bundle-cli.mjs.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const { compileProgram, writeCodeCache } = await import('../dist/src/cli/code-cache.js');

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'profile-registry-code-cache-'));
const finish = (code) => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
};
try {
  const port = await freePort();
  const main = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
  process.argv = [process.execPath, main, 'serve', '--port', String(port), '--profile-registry-db', join(dir, 'warm.db'), '--log-level', 'warn'];
  const program = compileProgram();
  void program.run().runProgram();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answered = await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false);
    if (answered) break;
    if (Date.now() > deadline) throw new Error('serve did not answer /healthz within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  writeCodeCache(program);
  finish(0);
} catch (error) {
  process.stderr.write(`warm-code-cache: ${error instanceof Error ? error.message : String(error)}\n`);
  finish(1);
}
