import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumSkipReason, startConsoleSession, type ConsoleSession } from '../support/browser.js';

/**
 * A profile history longer than one server page (1,000 versions) in Chromium: the console reads
 * it page by page to its very first version rather than stopping at 1,000 without a word.
 */
const REGISTRY = 'team';
const SLUG = 'busy';
const VERSIONS = 1010;
const title = chromiumAvailable ? 'console profile history past 1,000 versions' : `console profile history past 1,000 versions [skipped: ${chromiumSkipReason}]`;

describe.skipIf(!chromiumAvailable)(title, () => {
  let session: ConsoleSession;

  beforeAll(async () => {
    session = await startConsoleSession(async (api) => {
      expect((await api('admin', 'POST', '/api/registries', { slug: REGISTRY })).status).toBe(201);
      expect((await api('admin', 'POST', '/api/chat/profiles', { registry: REGISTRY, slug: SLUG, description: 'edit 1' })).status).toBe(201);
      for (let version = 2; version <= VERSIONS; version += 1) {
        const patched = await api('admin', 'PATCH', `/api/chat/profiles/${SLUG}`, { registry: REGISTRY, description: `edit ${version}` });
        expect(patched.status).toBe(200);
      }
    });
  }, 180_000);

  afterAll(async () => {
    await session?.close();
  });

  it('shows every version, newest first, down to the creation, and the first version diffs from nothing', async () => {
    const page = await session.loggedIn('reader');
    await page.goto(`${session.server.url}/console/#/r/${REGISTRY}/p/${SLUG}/history`);
    const rows = page.getByRole('table', { name: `Timeline of profile ${SLUG}` }).locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(VERSIONS);
    expect(await rows.first().locator('td').first().textContent()).toBe(String(VERSIONS));
    expect(await rows.last().locator('td').first().textContent()).toBe('1');
    expect(await rows.last().locator('td').nth(1).textContent()).toBe('profile.created');
    await page.getByRole('button', { name: 'Show changes of version 1', exact: true }).click();
    await page.getByRole('heading', { name: 'Changes of version 1' }).waitFor();
  });
});
