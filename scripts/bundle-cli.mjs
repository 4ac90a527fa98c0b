// Bundles the command line into dist/src/cli/ with esbuild, over what tsc wrote there: main.js
// (the bin) loads one file and, for the command that runs, its chunk, instead of resolving,
// reading and compiling some 1,500 modules one by one (start to first answer of `serve`).
// Run by `npm run build` after tsc; the rest of dist/src stays tsc's (the client, the benches).
//
// Everything lands in dist/src/cli/, so each import.meta.url-relative path resolves as from
// dist/src/cli/main.js: ./main.js (backups), the console (found above dist/), package.json
// (searched upwards), better-sqlite3.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const out = here('../dist/src/cli');
for (const file of readdirSync(out)) if (file.startsWith('chunk-') || file.startsWith('program.cjs')) rmSync(`${out}/${file}`);

// native drivers; and packages that read files beside their own code through __dirname (@fastify/swagger
// reads only its package.json, for the defaults of the info the document's options give)
const external = ['better-sqlite3', 'pg-native', '@fastify/swagger-ui', 'pino'];

await build({
  // the worker threads are started by file (src/events/sqlite/chain-check-aside.ts, src/projections/registry-rows-aside.ts)
  entryPoints: {
    main: here('../src/cli/main.ts'),
    'chain-check-worker': here('../src/events/sqlite/chain-check-worker.ts'),
    'registry-rows-worker': here('../src/projections/registry-rows-worker.ts'),
  },
  outdir: out,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  allowOverwrite: true,
  external,
  // the CommonJS packages inside call require() for Node's modules
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The same command line as one CommonJS script, program.cjs, which `serve` runs with V8's code
// cache (src/cli/code-cache.ts); its first line names this build, and so does the cache's.
await build({
  entryPoints: { program: here('../src/cli/program.ts') },
  outdir: out,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  allowOverwrite: true,
  external,
  // import() of the packages left outside as require(): V8 loses a script's dynamic-import callback
  // when the script comes from a code cache (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING on Node 20)
  supported: { 'dynamic-import': false },
  // every import.meta.url-relative path resolves from dist/src/cli/, as from the ES modules beside it
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: `// build ${randomUUID()}\n"use strict";\nvar __importMetaUrl = require('node:url').pathToFileURL(__filename).href;` },
  logLevel: 'warning',
});

// esbuild escapes every other character outside ASCII; these are in the comments it keeps
const program = `${out}/program.cjs`;
writeFileSync(program, readFileSync(program, 'utf8').replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));

// The cache is made by a `serve` that has answered (the functions of its start compiled); without
// it (no loopback, say) `serve` compiles the script from its text: slower to start, the same otherwise.
const warmed = spawnSync(process.execPath, [here('./warm-code-cache.mjs')], { stdio: 'inherit', timeout: 120_000 });
if (warmed.status !== 0) process.stderr.write('bundle-cli: no code cache for program.cjs (see above); serve starts without it\n');
