import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumSkipReason, expectAccessible, startConsoleSession, type ConsoleSession } from '../support/browser.js';

/**
 * The console's state in its address, and restores told as restores, in Chromium against the
 * built server: the selected version, the version it is compared with, the as-of point and the
 * registries' search come back after a reload and with Back and Forward; a restore (and an
 * import) reads as one in the profile's and the registry's history.
 */
const REGISTRY = 'team';
const SLUG = 'analyst';
const title = chromiumAvailable ? 'console addresses and restores' : `console addresses and restores [skipped: ${chromiumSkipReason}]`;

describe.skipIf(!chromiumAvailable)(title, () => {
  let session: ConsoleSession;
  let server: ConsoleSession['server'];
  let api: ConsoleSession['api'];
  let loggedIn: ConsoleSession['loggedIn'];

  const query = (page: Page) => new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? '');
  const diffTable = (page: Page, from: number, to: number) => page.getByRole('table', { name: `From version ${from} to version ${to}` });
  let versionOneAtMs = 0;

  beforeAll(async () => {
    session = await startConsoleSession(async (api) => {
      for (const slug of [REGISTRY, 'research', 'archive']) expect((await api('admin', 'POST', '/api/registries', { slug })).status).toBe(201);
      const created = await api('admin', 'POST', '/api/chat/profiles', { registry: REGISTRY, slug: SLUG, display_name: 'Analyst', runtime: { system_prompt: 'p1' } });
      expect(created.status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // version 2 a second later than version 1
      const patch = async (body: Record<string, unknown>) => expect((await api('admin', 'PATCH', `/api/chat/profiles/${SLUG}`, { registry: REGISTRY, ...body })).status).toBe(200);
      await patch({ display_name: 'Senior analyst' });
      await patch({ runtime: { system_prompt: 'p3' } });
      const history = await api('admin', 'GET', `/api/chat/profiles/${SLUG}/history?registry=${REGISTRY}`);
      versionOneAtMs = history.json.versions.find((entry: { version: number }) => entry.version === 1).at_ms;
    });
    ({ server, api, loggedIn } = session);
  }, 60_000);

  afterAll(async () => {
    await session?.close();
  });

  it('keeps the selected version and the diff in the address: a reload, Back and Forward show them again', async () => {
    const page = await loggedIn('editor');
    await page.goto(`${server.url}/console/#/r/${REGISTRY}/p/${SLUG}/history`);
    await page.getByRole('button', { name: 'Show changes of version 3' }).click();
    await diffTable(page, 2, 3).waitFor();
    expect(query(page).get('v')).toBe('3');
    await page.getByLabel('Compare with').selectOption({ label: 'version 1' });
    await diffTable(page, 1, 3).waitFor();
    expect(Object.fromEntries(query(page))).toEqual({ v: '3', from: '1' });

    await page.reload();
    await diffTable(page, 1, 3).waitFor();
    expect(await page.getByLabel('Compare with').inputValue()).toBe('1');
    expect(await page.getByRole('button', { name: 'Show changes of version 3' }).getAttribute('aria-pressed')).toBe('true');
    expect(await diffTable(page, 1, 3).textContent()).toContain('runtime › system prompt');

    await page.goBack();
    await diffTable(page, 2, 3).waitFor();
    expect(await page.getByLabel('Compare with').inputValue()).toBe('2');
    await page.goBack();
    await expect.poll(() => page.getByRole('heading', { name: /^Changes of version/ }).count()).toBe(0);
    await page.goForward();
    await page.goForward();
    await diffTable(page, 1, 3).waitFor();
    expect(Object.fromEntries(query(page))).toEqual({ v: '3', from: '1' });
  });

  it('keeps the as-of point in the address, a version or a UTC time, and the inputs show it after a reload', async () => {
    const page = await loggedIn('editor');
    await page.goto(`${server.url}/console/#/r/${REGISTRY}/p/${SLUG}/history`);
    await page.getByLabel('Version', { exact: true }).fill('2');
    await page.getByRole('button', { name: 'View', exact: true }).click();
    await page.getByText('As of version 2: version 2.').waitFor();
    expect(query(page).get('at_version')).toBe('2');
    await page.reload();
    await page.getByText('As of version 2: version 2.').waitFor();
    expect(await page.getByLabel('Version', { exact: true }).inputValue()).toBe('2');

    // the first whole second after version 1 was written (UTC), before version 2: version 1
    const time = new Date(Math.ceil((versionOneAtMs + 1) / 1000) * 1000).toISOString().slice(0, 19);
    await page.getByLabel('Version', { exact: true }).fill('');
    await page.getByLabel('or time (UTC)').fill(time);
    await page.getByRole('button', { name: 'View', exact: true }).click();
    const iso = `${time}.000Z`;
    await page.getByText(`As of ${iso}: version 1.`).waitFor();
    expect(query(page).get('as_of')).toBe(iso);
    expect(query(page).get('at_version')).toBeNull();
    await page.reload();
    await page.getByText(`As of ${iso}: version 1.`).waitFor();
    // the input normalizes a time on a whole minute to hh:mm (no ':00'): compare the instants it shows
    const shown = await page.getByLabel('or time (UTC)').inputValue();
    expect(new Date(`${shown}Z`).toISOString()).toBe(iso);
    await page.goBack();
    await page.getByText('As of version 2: version 2.').waitFor();
  });

  it('follows an address changed while the console was still starting after the login', async () => {
    const page = await (await session.browser.newContext()).newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Access token').fill(session.tokens.token.reader);
    // the address changes the moment the registries are drawn, before the page's effects have run
    await page.evaluate(() => {
      const observer = new MutationObserver(() => {
        if (document.querySelector('main h1')?.textContent !== 'Registries') return;
        observer.disconnect();
        location.hash = '#/r/team/p/analyst/overview';
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: new RegExp(`^Profile ${SLUG}`) }).waitFor({ timeout: 5000 });
    await page.context().close();
  });

  it("keeps the registries' search in the address", async () => {
    const page = await loggedIn('editor');
    await page.getByLabel('Search registries').fill('arch');
    await expect.poll(() => query(page).get('q')).toBe('arch');
    await page.reload();
    await page.getByRole('link', { name: 'archive' }).waitFor();
    expect(await page.getByLabel('Search registries').inputValue()).toBe('arch');
    expect(await page.getByRole('link', { name: REGISTRY, exact: true }).count()).toBe(0);
  });

  it("shows a restore as a restore in the profile's and the registry's history, and an import as an import", async () => {
    const restored = await api('admin', 'POST', `/api/chat/profiles/${SLUG}/restore`, { registry: REGISTRY, to_version: 1 });
    expect(restored.status).toBe(200);
    const imported = await api('admin', 'POST', '/api/registries/archive/import', {
      slug: 'archive',
      profiles: { old: { slug: 'old', runtime: { system_prompt: 'kept' }, metadata: { version: 7 } } },
    });
    expect(imported.status).toBe(200);

    const page = await loggedIn('admin');
    await page.goto(`${server.url}/console/#/r/${REGISTRY}/p/${SLUG}/history`);
    const rows = page.locator('table.timeline tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    const restoreRow = rows.filter({ has: page.getByRole('cell', { name: '4', exact: true }) });
    expect(await restoreRow.locator('.cause-restore').textContent()).toBe('restore Restore of version 1 (profile.updated)');
    // the edits before it read as edits
    expect(await rows.locator('.cause').count()).toBe(1);

    await page.goto(`${server.url}/console/#/r/${REGISTRY}/history`);
    const events = page.getByRole('table', { name: `Timeline of registry ${REGISTRY}` }).locator('tbody tr');
    await expect.poll(() => events.locator('.cause-restore').count()).toBe(1);
    // newest first: the restore is the last event
    expect(await events.first().locator('.cause-restore').textContent()).toBe('restore Restore of version 1 (profile.updated)');

    await page.goto(`${server.url}/console/#/r/archive/history`);
    const archive = page.getByRole('table', { name: 'Timeline of registry archive' }).locator('tbody tr');
    await expect.poll(() => archive.locator('.cause-import').count()).toBeGreaterThan(0);
    expect(await archive.locator('.cause-import').first().textContent()).toMatch(/^import Import/);
    await expectAccessible(page, 'a registry history with an import');
  });
});
