import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumSkipReason, expectAccessible, startConsoleSession, type ConsoleSession } from '../support/browser.js';

/**
 * A profile stacked on another registry's base, in Chromium against the built server: the
 * effective runtime credits each value to the layer that set it (resolve's stack trace, not one
 * layer per section), and a change of the base shows on the child's page without a reload.
 */
const BASE_REGISTRY = 'shared';
const REGISTRY = 'team';
const title = chromiumAvailable ? 'stacked profiles in the console' : `stacked profiles in the console [skipped: ${chromiumSkipReason}]`;

describe.skipIf(!chromiumAvailable)(title, () => {
  let session: ConsoleSession;
  let server: ConsoleSession['server'];
  let api: ConsoleSession['api'];
  let loggedIn: ConsoleSession['loggedIn'];

  const originsTable = (page: Page) => page.getByRole('table', { name: 'Fields of the effective runtime and where they come from' });
  /** The row of one value (by its name in the first column): its value and where it comes from. */
  const rowOf = async (page: Page, field: string): Promise<{ value: string; from: string }> => {
    const row = originsTable(page).locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: field, exact: true }) });
    if ((await row.count()) !== 1) return { value: '', from: '' };
    const cells = row.locator('td');
    return { value: (await cells.nth(0).textContent()) ?? '', from: (await cells.nth(1).textContent()) ?? '' };
  };

  beforeAll(async () => {
    session = await startConsoleSession(async (api) => {
      for (const slug of [BASE_REGISTRY, REGISTRY]) expect((await api('admin', 'POST', '/api/registries', { slug })).status).toBe(201);
      const base = await api('admin', 'POST', '/api/chat/profiles', {
        registry: BASE_REGISTRY,
        slug: 'base',
        runtime: { system_prompt: 'Be brief.', step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o-mini', 'ai-max-response-tokens': 512 } } },
    });
    expect(base.status).toBe(201);
    const child = await api('admin', 'POST', '/api/chat/profiles', {
      registry: REGISTRY,
      slug: 'child',
      stack: [{ registry_slug: BASE_REGISTRY, profile_slug: 'base' }],
      runtime: { step_settings_patch: { 'ai-chat': { 'ai-max-response-tokens': 2048 } }, tools: ['search'] },
    });
    expect(child.status).toBe(201);
    });
    ({ server, api, loggedIn } = session);
  }, 60_000);

  afterAll(async () => {
    await session?.close();
  });

  it('credits each value to the layer that set it: the base for what the child keeps, the child for what it overrides', async () => {
    const page = await loggedIn('editor');
    await page.goto(`${server.url}/console/#/r/${REGISTRY}/p/child/overview`);
    await originsTable(page).waitFor();
    // the same section (ai-chat) holds a value of each layer
    await expect.poll(() => rowOf(page, 'step settings › ai-chat › ai-engine')).toEqual({ value: 'gpt-4o-mini', from: `${BASE_REGISTRY}/base (version 1)` });
    expect(await rowOf(page, 'step settings › ai-chat › ai-max-response-tokens')).toEqual({ value: '2048', from: `${REGISTRY}/child (version 1)` });
    expect(await rowOf(page, 'system prompt')).toEqual({ value: 'Be brief.', from: `${BASE_REGISTRY}/base (version 1)` });
    expect(await rowOf(page, 'tools')).toEqual({ value: '[ "search" ]', from: `${REGISTRY}/child (version 1)` });
    // each origin leads to the layer's own page
    expect(await originsTable(page).getByRole('link', { name: `${BASE_REGISTRY}/base (version 1)` }).first().getAttribute('href')).toBe(`#/r/${BASE_REGISTRY}/p/base/overview`);
    await expectAccessible(page, 'the effective runtime with its origins');
  });

  it("shows a change of the base in another registry on the child's page without a reload", async () => {
    const page = await loggedIn('admin');
    await page.goto(`${server.url}/console/#/r/${REGISTRY}/p/child/overview`);
    await expect.poll(() => rowOf(page, 'step settings › ai-chat › ai-engine')).toEqual({ value: 'gpt-4o-mini', from: `${BASE_REGISTRY}/base (version 1)` });
    await page.locator('.feed-live').waitFor();
    const fingerprintBefore = await page.locator('code.fingerprint').textContent();
    let navigations = 0;
    page.on('framenavigated', () => navigations++);

    const changed = await api('admin', 'PATCH', '/api/chat/profiles/base', {
      registry: BASE_REGISTRY,
      runtime: { system_prompt: 'Be brief.', step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4.1', 'ai-max-response-tokens': 512 } } },
    });
    expect(changed.status).toBe(200);
    await expect
      .poll(() => rowOf(page, 'step settings › ai-chat › ai-engine'), { timeout: 5000 })
      .toEqual({ value: 'gpt-4.1', from: `${BASE_REGISTRY}/base (version 2)` });
    // the child's own value still wins, and the runtime it resolves to is another one
    expect(await rowOf(page, 'step settings › ai-chat › ai-max-response-tokens')).toEqual({ value: '2048', from: `${REGISTRY}/child (version 1)` });
    expect(await page.locator('code.fingerprint').textContent()).not.toBe(fingerprintBefore);
    expect(await page.locator('code.fingerprint').textContent()).toBe((await api('admin', 'GET', `/api/chat/resolve/child?registry=${REGISTRY}`)).json.fingerprint);
    expect(navigations).toBe(0);
  });
});
