import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumSkipReason, expectAccessible, screenshot, startConsoleSession, type ConsoleSession } from '../support/browser.js';

/**
 * A large registry in the console (issue 26): the list comes in server pages and only the rows in
 * view are drawn, the search lives in the address, a change arrives by the feed without
 * fetching the list again; and every page is titled, focusable, narrow- and dark-friendly.
 */
const REGISTRY = 'big';
const COUNT = 450;
const slugOf = (index: number) => `p-${String(index).padStart(4, '0')}`;
const title = chromiumAvailable ? 'console lists and pages in a browser' : `console lists and pages in a browser [skipped: ${chromiumSkipReason}]`;

describe.skipIf(!chromiumAvailable)(title, () => {
  let session: ConsoleSession;
  let server: ConsoleSession['server'];
  let api: ConsoleSession['api'];
  let loggedIn: ConsoleSession['loggedIn'];

  const status = (page: Page) => page.getByRole('status').filter({ hasText: /profiles?( matching|$|\+)/ });

  beforeAll(async () => {
    session = await startConsoleSession(async (api) => {
      expect((await api('admin', 'POST', '/api/registries', { slug: REGISTRY, display_name: 'Big' })).status).toBe(201);
      for (let start = 0; start < COUNT; start += 15) {
        const batch = Array.from({ length: Math.min(15, COUNT - start) }, (_, offset) => start + offset);
        const answers = await Promise.all(
          batch.map((index) =>
            api('admin', 'POST', '/api/chat/profiles', { registry: REGISTRY, slug: slugOf(index), display_name: `Profile ${index}`, metadata: { tags: index % 50 === 0 ? ['round'] : [] } }),
          ),
        );
        expect(answers.map((answer) => answer.status)).toEqual(batch.map(() => 201));
      }
    });
    ({ server, api, loggedIn } = session);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
  });

  it('pages a large registry from the server and draws only the rows in view, to the last profile', async () => {
    const page = await loggedIn('reader');
    const lists: string[] = [];
    page.on('request', (request) => {
      if (/\/api\/chat\/profiles\?/.test(request.url())) lists.push(request.url());
    });
    await page.getByRole('link', { name: REGISTRY }).click();
    await page.getByRole('link', { name: slugOf(0), exact: true }).waitFor();
    expect(await page.locator('table.virtual tbody tr').count()).toBeLessThan(60);
    expect(lists[0]).toContain('limit=200');
    await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('H1'); // focus moved to the new page's heading
    expect(await page.title()).toBe(`Registry ${REGISTRY} · profile-registry console`);
    const scroller = page.locator('.scroller');
    for (let round = 0; round < 30 && !((await status(page).textContent()) ?? '').startsWith(`${COUNT} profiles`); round += 1) {
      await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
      await page.waitForTimeout(150);
    }
    expect(await status(page).textContent()).toBe(`${COUNT} profiles`);
    await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    await page.getByRole('link', { name: slugOf(COUNT - 1), exact: true }).waitFor();
    expect(await page.locator('table.virtual tbody tr').count()).toBeLessThan(80);
    expect(await page.getByRole('link', { name: slugOf(0), exact: true }).count()).toBe(0); // scrolled out, not drawn
    await expectAccessible(page, 'a large registry');
    await screenshot(page, 'large-registry');
  });

  it('searches on the server, keeps the search in the address, and applies a feed change to its row alone', async () => {
    const page = await loggedIn('reader');
    await page.goto(`${server.url}/console/#/r/${REGISTRY}/profiles`);
    await page.getByLabel('Search profiles by slug, name, tag, model or description').fill('ROUND');
    await expect.poll(() => status(page).textContent()).toBe('9 profiles matching “ROUND”');
    expect(await page.evaluate('location.hash')).toBe(`#/r/${REGISTRY}/profiles?q=ROUND`);
    await page.reload();
    await expect.poll(() => page.getByLabel('Search profiles by slug, name, tag, model or description').inputValue()).toBe('ROUND');
    await expect.poll(() => status(page).textContent()).toBe('9 profiles matching “ROUND”');
    await page.getByRole('status').filter({ hasText: 'live updates on' }).waitFor();

    const lists: string[] = [];
    page.on('request', (request) => {
      if (/\/api\/chat\/profiles\?/.test(request.url()) || /\/api\/registries\/big$/.test(request.url())) lists.push(request.url());
    });
    expect((await api('editor', 'PATCH', `/api/chat/profiles/${slugOf(100)}`, { registry: REGISTRY, display_name: 'Renamed live' })).status).toBe(200);
    await page.getByRole('cell', { name: 'Renamed live' }).waitFor({ timeout: 3000 });
    expect(lists).toEqual([]); // the row was read alone, the list was not fetched again
  });

  it('gives every page a title, a skip link to its heading, a favicon, room at 390 px and a dark theme, without serious axe findings', async () => {
    const icon = await fetch(`${server.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');

    await api('admin', 'PATCH', `/api/chat/profiles/${slugOf(1)}`, { registry: REGISTRY, description: 'second version' });
    const page = await loggedIn('editor', 390);
    await page.emulateMedia({ colorScheme: 'dark' });
    const pages: [string, string, string][] = [
      ['#/', 'Registries', 'Registries'],
      [`#/r/${REGISTRY}/profiles`, `Registry ${REGISTRY}`, `Registry ${REGISTRY}`],
      [`#/r/${REGISTRY}/history`, `History of registry ${REGISTRY}`, `Registry ${REGISTRY}`],
      [`#/r/${REGISTRY}/p/${slugOf(1)}/overview`, `Profile ${slugOf(1)} (overview) in ${REGISTRY}`, `Profile ${slugOf(1)}`],
      [`#/r/${REGISTRY}/p/${slugOf(1)}/edit`, `Profile ${slugOf(1)} (edit) in ${REGISTRY}`, `Profile ${slugOf(1)}`],
      [`#/r/${REGISTRY}/new`, `New profile in ${REGISTRY}`, 'New profile'],
      ['#/schemas', 'Schemas', 'Schemas'],
      [`#/r/${REGISTRY}/p/${slugOf(1)}/history`, `Profile ${slugOf(1)} (history) in ${REGISTRY}`, `Profile ${slugOf(1)}`],
    ];
    for (const [hash, pageTitle, heading] of pages) {
      await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
      await page.getByRole('heading', { level: 1, name: new RegExp(`^${heading}`) }).waitFor();
      // the page's data has arrived (the feed's stream keeps the network busy, so no 'networkidle')
      await expect.poll(() => page.getByText(/^Loading…$/).count()).toBe(0);
      await page.waitForTimeout(300);
      expect(await page.title()).toBe(`${pageTitle} · profile-registry console`);
      const wide = await page.evaluate(
        '[...document.querySelectorAll("body *")].filter((element) => element.getBoundingClientRect().right > 390).slice(0, 5).map((element) => element.tagName + "." + element.className).join(" ")',
      );
      expect(await page.evaluate('document.documentElement.scrollWidth'), `width of ${hash} at 390 px (wider: ${String(wide)})`).toBeLessThanOrEqual(390);
      await expectAccessible(page, `${hash} at 390 px in dark mode`);
    }
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(13, 17, 23)');
    expect(await page.getByLabel('or time (UTC)').count()).toBe(1);
    await screenshot(page, 'narrow-dark-history');

    const skip = page.getByRole('link', { name: 'Skip to content' });
    await page.evaluate('document.activeElement?.blur()');
    await skip.focus();
    expect(await skip.evaluate((element) => element.getBoundingClientRect().top >= 0)).toBe(true); // shown once focused
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('H1');
  });
});
