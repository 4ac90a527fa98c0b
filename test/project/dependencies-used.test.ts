import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );

/** Package names imported by a source text: `from 'x'`, `from 'x/y'`, `import('x')`, side-effect `import 'x'`. */
const importedPackages = (text: string): string[] =>
  [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'".][^'"]*)['"]/g)].map(([, specifier]) => {
    const parts = specifier!.split('/');
    return specifier!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  });

describe('package.json dependencies', () => {
  it('are each imported by the code in src/', () => {
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const imported = new Set(sources(join(ROOT, 'src')).flatMap((file) => importedPackages(readFileSync(file, 'utf8'))));
    expect(Object.keys(dependencies).filter((name) => !imported.has(name))).toEqual([]);
  });

  it('read an import however it is written', () => {
    expect(importedPackages("import { pino } from 'pino';\nimport Fastify from \"fastify\";\nimport '@fastify/swagger/x';\nconst pg = await import('pg');")).toEqual([
      'pino',
      'fastify',
      '@fastify/swagger',
      'pg',
    ]);
    expect(importedPackages("import { x } from './local.js';\nimport type { Y } from 'node:fs';")).toEqual(['node:fs']);
  });
});
