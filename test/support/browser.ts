import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium (`.ci/run` installs the `chromium` package when it is missing). */
export const CHROMIUM = process.env.PROFILE_REGISTRY_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.CI === 'true' || process.env.PROFILE_REGISTRY_REQUIRE_BROWSER === '1';

/** Whether the browser tests run; under CI (or when required) a missing Chromium fails the file instead. */
export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable && REQUIRED) {
  throw new Error(`the console tests need Chromium at ${CHROMIUM} (apt-get install chromium), and CI=true requires them`);
}
export const chromiumSkipReason = `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });

/**
 * Where screenshots go: docs/screenshots with UPDATE_SCREENSHOTS=1 (the README shows two of them),
 * else a folder under the system's temp folder, so that a test run leaves the repository as it was.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : join(process.env.TMPDIR ?? '/tmp', 'profile-registry-console-screenshots');

export const screenshot = async (page: Page, name: string): Promise<string> => {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  expect(existsSync(path)).toBe(true);
  return path;
};

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the console's
 * Content-Security-Policy stays on) and expects no serious or critical violation.
 */
export const expectAccessible = async (page: Page, where: string): Promise<void> => {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(axeSource);
  const violations = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] }).then((result) => result.violations)')) as AxeViolation[];
  const serious = violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => JSON.stringify(node.target)).join(', ')}`);
  expect(serious, `accessibility of ${where}`).toEqual([]);
};
