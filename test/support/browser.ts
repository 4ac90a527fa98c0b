import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Request, type Response } from 'playwright-core';
import { expect } from 'vitest';
import { writeTestTokens, type Holder, type TestTokens } from './auth-tokens.js';
import { startServer, type ServerProcess } from './server-process.js';
import { tempDir } from './test-store.js';

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
 * Content-Security-Policy stays on) and expects no serious or critical violation, targets of
 * at least 24 px included.
 */
export const expectAccessible = async (page: Page, where: string): Promise<void> => {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(axeSource);
  // target-size (WCAG 2.2 AA, 24 px) is off in axe by default: the console asks for it
  const violations = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"], rules: { "target-size": { enabled: true } } }).then((result) => result.violations)',
  )) as AxeViolation[];
  const serious = violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => JSON.stringify(node.target)).join(', ')}`);
  expect(serious, `accessibility of ${where}`).toEqual([]);
};

/**
 * Waits for `locator` to be visible; if it never is, fails naming what the page showed instead
 * (its address and text, and the requests that failed or were refused while it waited), so that a
 * failure in CI says more than "Timeout exceeded".
 */
export const waitShown = async (page: Page, locator: Locator, what: string): Promise<void> => {
  const refused: string[] = [];
  const onFailed = (request: Request) => refused.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`);
  const onAnswer = (response: Response) => {
    if (response.status() >= 400) refused.push(`${response.request().method()} ${response.url()}: ${response.status()}`);
  };
  page.on('requestfailed', onFailed);
  page.on('response', onAnswer);
  try {
    await locator.waitFor();
  } catch (error) {
    const text = await page.locator('body').innerText({ timeout: 1000 }).catch(() => '(no text)');
    throw new Error(`${what} not shown at ${page.url()}; the page showed: ${text.slice(0, 1500)}; requests refused: ${refused.join(' | ') || 'none'}`, { cause: error });
  } finally {
    page.off('requestfailed', onFailed);
    page.off('response', onAnswer);
  }
};

export interface ApiAnswer {
  status: number;
  json: any;
}

export interface ConsoleSession {
  server: ServerProcess;
  tokens: TestTokens;
  browser: Browser;
  /** A JSON call to the server as this holder (the test's look at the server's state). */
  api: (holder: Holder, method: string, path: string, body?: unknown) => Promise<ApiAnswer>;
  /**
   * A fresh browser context (its own sessionStorage) logged in with this holder's token, on the
   * registries page; an uncaught page error or a Content-Security-Policy report fails the login.
   */
  loggedIn: (holder: Holder, width?: number) => Promise<Page>;
  close: () => Promise<void>;
}

/**
 * The console's test set-up: the built server on a temp SQLite file with a tokens file (and a
 * signing key with `signing: true`), and Chromium. `seed` runs once the server is up (through
 * `api`), before the browser starts.
 */
export const startConsoleSession = async (
  seed: (api: ConsoleSession['api']) => Promise<void> = async () => undefined,
  options: { signing?: boolean } = {},
): Promise<ConsoleSession> => {
  const dir = tempDir();
  const tokens = writeTestTokens(dir.dir);
  const flags = ['--profile-registry-db', join(dir.dir, 'profiles.db'), '--auth-tokens-file', tokens.file];
  if (options.signing === true) {
    const keys = join(dir.dir, 'signing-keys.yaml');
    writeFileSync(keys, 'keys:\n  - id: console-test\n    secret: a-long-enough-console-signing-secret\n', { mode: 0o600 });
    flags.push('--signing-keys-file', keys);
  }
  const server = await startServer(flags);
  const contexts: BrowserContext[] = [];
  const api: ConsoleSession['api'] = async (holder, method, path, body) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...tokens.bearer(holder), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
  };
  let browser: Browser | undefined;
  const close = async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server.stop();
    dir.remove();
  };
  try {
    await seed(api);
    browser = await launchChromium();
  } catch (error) {
    await close();
    throw error;
  }
  const opened = browser;
  const loggedIn = async (holder: Holder, width = 1280): Promise<Page> => {
    const context = await opened.newContext({ viewport: { width, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) errors.push(message.text());
    });
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Access token').fill(tokens.token[holder]);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Registries' }).waitFor();
    expect(errors).toEqual([]);
    return page;
  };
  return { server, tokens, browser: opened, api, loggedIn, close };
};
