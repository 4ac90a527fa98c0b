import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runTracked } from '../support/child-processes.js';
import { openTestApp, tempDir, type TestApp } from '../support/test-store.js';

const REDOCLY = resolve('node_modules/.bin/redocly');

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer?: string }[] }[];
}

let t: TestApp;
const dir = tempDir();

beforeAll(async () => {
  t = await openTestApp('sqlite');
});
afterAll(async () => {
  await t?.close();
  dir.remove();
});

it('redocly lint (its recommended rules) finds no error in /openapi.json', async () => {
  const file = join(dir.dir, 'openapi.json');
  writeFileSync(file, (await t.app.inject({ method: 'GET', url: '/openapi.json' })).body);
  const result = await runTracked(REDOCLY, ['lint', '--format=json', '--extends=recommended', file], {
    cwd: dir.dir,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  });
  const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as LintReport;
  const errors = report.problems.filter((problem) => problem.severity === 'error');
  expect(errors.map((error) => `${error.ruleId} ${error.location[0]?.pointer ?? ''}: ${error.message}`)).toEqual([]);
  expect(report.totals.errors).toBe(0);
  expect(result.code, result.stderr).toBe(0);
});
