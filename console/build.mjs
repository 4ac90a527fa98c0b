// Builds the admin console (console/src) into dist/console with esbuild: one script, one style
// sheet and the page, no CDN; run by `npm run build`.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const out = here('../dist/console');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: here('src/main.tsx'), style: here('src/style.css') },
  outdir: out,
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
});
copyFileSync(here('index.html'), `${out}/index.html`);
copyFileSync(here('favicon.svg'), `${out}/favicon.svg`);
