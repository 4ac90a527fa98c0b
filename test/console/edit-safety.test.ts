import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumSkipReason, expectAccessible, screenshot, startConsoleSession, type ConsoleSession } from '../support/browser.js';

/**
 * Edits land where the user meant (issue 26's two data bugs), in Chromium against the built
 * server: the form always belongs to the profile in the address, leaving unsaved changes asks,
 * and a conflict's re-apply carries over only this user's changes, never reverting others'.
 */
const REGISTRY = 'team';
const title = chromiumAvailable ? 'console edits in a browser' : `console edits in a browser [skipped: ${chromiumSkipReason}]`;

describe.skipIf(!chromiumAvailable)(title, () => {
  let session: ConsoleSession;
  let server: ConsoleSession['server'];
  let api: ConsoleSession['api'];
  let loggedIn: ConsoleSession['loggedIn'];

  const stored = async (slug: string) => (await api('admin', 'GET', `/api/chat/profiles/${slug}?registry=${REGISTRY}`)).json;
  const create = async (body: Record<string, unknown>) => expect((await api('admin', 'POST', '/api/chat/profiles', { registry: REGISTRY, ...body })).status).toBe(201);
  const patch = async (slug: string, body: Record<string, unknown>) => expect((await api('admin', 'PATCH', `/api/chat/profiles/${slug}`, { registry: REGISTRY, ...body })).status).toBe(200);

  const editHash = (slug: string) => `#/r/${REGISTRY}/p/${slug}/edit`;
  const heading = (page: Page, slug: string) => page.getByRole('heading', { name: new RegExp(`^Profile ${slug}`) });
  /** The PATCH bodies the page sends. */
  const patchesOf = (page: Page): Record<string, unknown>[] => {
    const bodies: Record<string, unknown>[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') bodies.push(JSON.parse(request.postData() ?? '{}'));
    });
    return bodies;
  };

  beforeAll(async () => {
    session = await startConsoleSession(async (api) => {
      expect((await api('admin', 'POST', '/api/registries', { slug: REGISTRY })).status).toBe(201);
    });
    ({ server, api, loggedIn } = session);
  }, 60_000);

  afterAll(async () => {
    await session?.close();
  });

  it('shows the form of the profile in the address after the address changes, and saves that profile', async () => {
    await create({ slug: 'alpha', display_name: 'Alpha' });
    await create({ slug: 'beta', display_name: 'Beta' });
    const page = await loggedIn('editor');
    await page.goto(`${server.url}/console/${editHash('alpha')}`);
    await heading(page, 'alpha').waitFor();
    await expect.poll(() => page.getByLabel('Display name').inputValue()).toBe('Alpha');

    await page.evaluate(`location.hash = ${JSON.stringify(editHash('beta'))}`);
    await heading(page, 'beta').waitFor();
    await expect.poll(() => page.getByLabel('Display name').inputValue()).toBe('Beta');
    await page.getByLabel('Description').fill('written to beta');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved as version 2.').waitFor();
    expect(await stored('beta')).toMatchObject({ display_name: 'Beta', description: 'written to beta', metadata: { version: 2 } });
    const alpha = await stored('alpha');
    expect(alpha.metadata.version).toBe(1);
    expect(alpha.description).toBeUndefined();
  });

  it('asks before leaving unsaved changes, and stays when the user says no', async () => {
    const page = await loggedIn('editor');
    await page.goto(`${server.url}/console/${editHash('beta')}`);
    await expect.poll(() => page.getByLabel('Display name').inputValue()).toBe('Beta');
    await page.getByLabel('Display name').fill('Beta, unsaved');

    const questions: string[] = [];
    let answer = false;
    page.on('dialog', (dialog) => {
      questions.push(dialog.message());
      void (answer ? dialog.accept() : dialog.dismiss());
    });
    await page.evaluate(`location.hash = ${JSON.stringify(editHash('alpha'))}`);
    await expect.poll(() => questions.length).toBe(1);
    expect(questions[0]).toContain('unsaved changes');
    expect(await page.evaluate('location.hash')).toBe(editHash('beta'));
    expect(await heading(page, 'beta').isVisible()).toBe(true);
    expect(await page.getByLabel('Display name').inputValue()).toBe('Beta, unsaved');

    answer = true;
    await page.evaluate(`location.hash = ${JSON.stringify(editHash('alpha'))}`);
    await heading(page, 'alpha').waitFor();
    await expect.poll(() => page.getByLabel('Display name').inputValue()).toBe('Alpha');
    expect(questions).toHaveLength(2);
    expect((await stored('beta')).display_name).toBe('Beta'); // nothing was saved on the way out
  });

  it('re-applies an edit on a colleague\'s newer version without undoing their changes, sending only the changed field', async () => {
    await create({ slug: 'gamma', display_name: 'Gamma', runtime: { system_prompt: 'p0', tools: ['search'] } });
    const page = await loggedIn('editor');
    const patches = patchesOf(page);
    await page.goto(`${server.url}/console/${editHash('gamma')}`);
    await expect.poll(() => page.getByLabel('System prompt').inputValue()).toBe('p0');
    // a colleague adds a tool and renames the profile meanwhile
    await patch('gamma', { display_name: 'Gamma two', runtime: { system_prompt: 'p0', tools: ['search', 'calc'] } });

    await page.getByLabel('System prompt').fill('p-mine');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Someone saved first' });
    await conflict.waitFor();
    expect(await conflict.getByRole('table', { name: /Changed by both/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Re-apply my edit on version 2' }).click();
    await page.getByText('Saved as version 3.').waitFor();

    expect(await stored('gamma')).toMatchObject({ display_name: 'Gamma two', runtime: { system_prompt: 'p-mine', tools: ['search', 'calc'] }, metadata: { version: 3 } });
    expect(patches.map((body) => Object.keys(body).sort())).toEqual([
      ['registry', 'runtime'],
      ['registry', 'runtime'],
    ]);
  });

  it('shows a field changed by both side by side and saves the value the user chose, keeping the rest of theirs', async () => {
    const page = await loggedIn('editor');
    await page.goto(`${server.url}/console/${editHash('gamma')}`);
    await expect.poll(() => page.getByLabel('System prompt').inputValue()).toBe('p-mine');
    await patch('gamma', { description: 'theirs', runtime: { system_prompt: 'p-theirs', tools: ['search', 'calc'] } });

    await page.getByLabel('System prompt').fill('p-mine again');
    await page.getByLabel('Tools').fill('search, calc, web');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const both = page.getByRole('table', { name: /Changed by both/ });
    await both.waitFor();
    const rows = both.locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/runtime › system prompt\s*p-mine again\s*p-theirs/);
    const reapply = page.getByRole('button', { name: 'Re-apply my edit on version 4' });
    expect(await reapply.isDisabled()).toBe(true); // no silent choice
    expect((await stored('gamma')).metadata.version).toBe(4);
    await expectAccessible(page, 'the conflict view with a field changed by both');
    await screenshot(page, 'conflict-side-by-side');

    await page.getByLabel('Keep mine (runtime › system prompt)').check();
    await reapply.click();
    await page.getByText('Saved as version 5.').waitFor();
    expect(await stored('gamma')).toMatchObject({ display_name: 'Gamma two', description: 'theirs', runtime: { system_prompt: 'p-mine again', tools: ['search', 'calc', 'web'] } });
  });
});
