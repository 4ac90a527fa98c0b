// Bundles the command line into dist/src/cli/ with esbuild, over what tsc wrote there: main.js
// (the bin) loads one file and, for the command that runs, its chunk, instead of resolving,
// reading and compiling some 1,500 modules one by one (start to first answer of `serve`).
// Run by `npm run build` after tsc; the rest of dist/src stays tsc's (the client, the benches).
//
// Everything lands in dist/src/cli/, so each import.meta.url-relative path resolves as from
// dist/src/cli/main.js: ./main.js (backups), the console (found above dist/), package.json
// (searched upwards), better-sqlite3.
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const out = here('../dist/src/cli');
for (const file of readdirSync(out)) if (file.startsWith('chunk-')) rmSync(`${out}/${file}`);

await build({
  // the hash chain check's worker thread is started by file (src/events/sqlite/chain-check-aside.ts)
  entryPoints: { main: here('../src/cli/main.ts'), 'chain-check-worker': here('../src/events/sqlite/chain-check-worker.ts') },
  outdir: out,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  allowOverwrite: true,
  // native drivers; and packages that read files beside their own code through __dirname
  external: ['better-sqlite3', 'pg-native', '@fastify/swagger', '@fastify/swagger-ui', 'pino'],
  // the CommonJS packages inside call require() for Node's modules
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});
