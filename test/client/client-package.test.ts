import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
// inside the package, so that `profile-registry/client` resolves through package.json `exports`
const scratch = mkdtempSync(join(REPO, 'dist', 'client-consumer-'));

describe('profile-registry/client as a package export', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('bundles for browsers from the built files alone: no node: import, no zod, no server code', async () => {
    const result = await build({
      stdin: { contents: "export * from 'profile-registry/client';", resolveDir: scratch, loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs).filter((input) => input !== '<stdin>');
    expect(inputs.length).toBeGreaterThan(3);
    for (const input of inputs) expect(input).toMatch(/dist\/src\/client\/[a-z-]+\.js$/);
    expect(result.outputFiles[0].text).not.toMatch(/node:|require\(/);
  });

  it('types a consumer from its declarations, with DOM types only (no @types/node)', async () => {
    const consumer = join(scratch, 'consumer.ts');
    writeFileSync(
      consumer,
      `import { createClient, ProblemError, type Resolved } from 'profile-registry/client';
const client = createClient({ baseUrl: 'http://127.0.0.1:8080' });
export const follow = () =>
  client.followProfile('analyst', { onChange: (resolved: Resolved) => console.log(resolved.fingerprint, resolved.runtime) });
export const version = async (): Promise<number> => (await client.getProfile('analyst')).metadata.version;
export const isConflict = (error: unknown): boolean => error instanceof ProblemError && error.status === 409;
// @ts-expect-error a profile's slug is a string
client.createProfile({ slug: 42 });
`,
    );
    const compilerOptions = {
      noEmit: true,
      strict: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      lib: ['es2022', 'dom', 'dom.iterable'],
      types: [],
    };
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [consumer] }));
    await run(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(scratch, 'tsconfig.json')], { cwd: scratch });
  });

  it('loads in Node through the export', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('profile-registry/client'); console.log(Object.keys(m).sort().join(','))"], {
      cwd: REPO,
    });
    expect(stdout.trim()).toBe('ProblemError,UnreachableError,createClient,isTransient');
  });
});
