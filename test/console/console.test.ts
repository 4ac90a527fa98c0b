import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumSkipReason, expectAccessible, screenshot, startConsoleSession, waitShown, type ConsoleSession } from '../support/browser.js';

/**
 * The admin console in a real browser (Debian's Chromium driven by playwright-core) against the
 * built server on a temp SQLite file with a tokens file. The scenarios run in order on one
 * profile, as a user would: create it, edit it twice, read its history, restore, edit
 * concurrently, watch a change arrive, get a schema's message, and look as a reader.
 */
const REGISTRY = 'team';
const SLUG = 'analyst';
const AGENTMODE_SCHEMA = {
  type: 'object',
  properties: {
    max_turns: { type: 'integer', minimum: 1, description: 'How many turns the agent may take.' },
    default_mode: { type: 'string', enum: ['chat', 'plan'] },
  },
};

const title = chromiumAvailable ? 'admin console in a browser' : `admin console in a browser [skipped: ${chromiumSkipReason}]`;

describe.skipIf(!chromiumAvailable)(title, () => {
  let session: ConsoleSession;
  let server: ConsoleSession['server'];
  let api: ConsoleSession['api'];
  let loggedIn: ConsoleSession['loggedIn'];

  const profileNow = async () => (await api('admin', 'GET', `/api/chat/profiles/${SLUG}?registry=${REGISTRY}`)).json;

  const openProfile = async (page: Page, tab = 'overview') => {
    await page.goto(`${server.url}/console/#/r/${REGISTRY}/p/${SLUG}/${tab}`);
    await waitShown(page, page.getByRole('heading', { name: new RegExp(`^Profile ${SLUG}`) }), `the heading of profile ${SLUG}`);
  };
  const shownVersion = (page: Page) => page.locator('h1 .version').textContent();

  beforeAll(async () => {
    session = await startConsoleSession(async (api) => {
      expect((await api('admin', 'POST', '/api/registries', { slug: REGISTRY, display_name: 'Team' })).status).toBe(201);
      expect((await api('admin', 'PUT', '/api/chat/schemas/middlewares/agentmode', { version: 1, schema: AGENTMODE_SCHEMA })).status).toBe(201);
    });
    ({ server, api, loggedIn } = session);
  }, 60_000);

  afterAll(async () => {
    await session?.close();
  });

  it('logs in with a token, kept in the tab, and lists the registries', async () => {
    const page = await (await session.browser.newContext()).newPage();
    await page.goto(`${server.url}/console/`);
    await expectAccessible(page, 'the login page');
    await page.getByLabel('Access token').fill('prt_not-a-token-of-this-server');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('401');

    await page.getByLabel('Access token').fill(session.tokens.token.admin);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: REGISTRY }).waitFor();
    expect(await page.locator('.who').textContent()).toContain('admin-token (admin)');
    await page.reload();
    await page.getByRole('link', { name: REGISTRY }).waitFor(); // the token survives a reload of the tab
    await expectAccessible(page, 'the registries page');
    await screenshot(page, 'login-registries');
  });

  it('creates a profile', async () => {
    const page = await loggedIn('editor');
    await page.getByRole('link', { name: REGISTRY }).click();
    await page.getByRole('link', { name: 'New profile' }).click();
    await page.getByLabel('Slug').fill(SLUG);
    await page.getByLabel('Display name').fill('Analyst');
    await page.getByLabel('System prompt').fill('You are an analyst');
    await page.getByLabel('Tags (separated by commas)').fill('finance, reports');
    await expectAccessible(page, 'the new profile form');
    await page.getByRole('button', { name: 'Create profile' }).click();
    await page.getByRole('heading', { name: /^Profile analyst/ }).waitFor();
    expect(await shownVersion(page)).toContain('version 1');
    await page.getByText('Stack lineage').waitFor();
    await expectAccessible(page, 'the profile page');
    await screenshot(page, 'profile-created');

    const stored = await profileNow();
    expect(stored).toMatchObject({ slug: SLUG, display_name: 'Analyst', runtime: { system_prompt: 'You are an analyst' }, metadata: { version: 1, tags: ['finance', 'reports'], created_by: 'editor-token' } });

    // the registry's list finds it by tag
    await page.goto(`${server.url}/console/#/r/${REGISTRY}/profiles`);
    await page.getByLabel('Search profiles by slug, name, tag, model or description').fill('reports');
    await page.getByRole('link', { name: SLUG }).waitFor();
    await page.getByLabel('Search profiles by slug, name, tag, model or description').fill('nothing-like-it');
    await expect.poll(() => page.getByRole('link', { name: SLUG }).count()).toBe(0);
  });

  it('edits the profile twice, each save a new version', async () => {
    const page = await loggedIn('editor');
    await openProfile(page, 'edit');
    await page.getByLabel('System prompt').fill('You are a careful analyst');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved as version 2.').waitFor();
    await page.getByLabel('Display name').fill('Senior analyst');
    await expectAccessible(page, 'the profile editor');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved as version 3.').waitFor();
    await screenshot(page, 'profile-edited');

    const stored = await profileNow();
    expect(stored).toMatchObject({ display_name: 'Senior analyst', runtime: { system_prompt: 'You are a careful analyst' }, metadata: { version: 3, updated_by: 'editor-token' } });
  });

  it('shows the history: three versions, and the diff names the changed field', async () => {
    const page = await loggedIn('admin');
    await openProfile(page, 'history');
    const rows = page.locator('table.timeline tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.first().textContent()).toContain('editor-token');
    await page.getByRole('button', { name: 'Show changes of version 3' }).click();
    const diff = page.getByRole('table', { name: 'From version 2 to version 3' });
    await diff.waitFor();
    const diffRows = diff.locator('tbody tr');
    expect(await diffRows.count()).toBe(1);
    expect(await diffRows.first().textContent()).toMatch(/display name\s*changed\s*Analyst\s*Senior analyst/);
    // against any other version: 1 → 3 changed the prompt and the name
    await page.getByLabel('Compare with').selectOption({ label: 'version 1' });
    await page.getByRole('table', { name: 'From version 1 to version 3' }).waitFor();
    expect(await page.getByRole('table', { name: 'From version 1 to version 3' }).textContent()).toContain('runtime › system prompt');
    // view as of version 1
    await page.getByLabel('Version', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'View', exact: true }).click();
    await page.getByText('As of version 1: version 1.').waitFor();
    await expectAccessible(page, 'the history page');
    await screenshot(page, 'history-diff');
  });

  it('restores version 1 after a dry run: a fourth version equal to the first', async () => {
    const page = await loggedIn('admin');
    await openProfile(page, 'history');
    await page.getByLabel('Version to restore').fill('1');
    await page.getByRole('button', { name: 'Preview restore' }).click();
    const preview = page.getByRole('table', { name: 'Restoring version 1 would change' });
    await preview.waitFor();
    expect(await preview.textContent()).toContain('display name');
    expect((await profileNow()).metadata.version).toBe(3); // the dry run wrote nothing
    await expectAccessible(page, 'the restore preview');
    await screenshot(page, 'restore-preview');
    await page.getByRole('button', { name: 'Confirm restore of version 1' }).click();
    await page.getByText('Restored version 1 as a new version.').waitFor();
    await expect.poll(() => page.locator('table.timeline tbody tr').count()).toBe(4);

    const stored = await profileNow();
    expect(stored.metadata.version).toBe(4);
    expect(stored).toMatchObject({ display_name: 'Analyst', runtime: { system_prompt: 'You are an analyst' } });
    expect((await api('admin', 'GET', `/api/chat/profiles/${SLUG}/diff?registry=${REGISTRY}&from=1&to=4`)).json.changes).toEqual([]);
  });

  it('shows the conflict view when another session saved first, and re-applies the edit', async () => {
    const mine = await loggedIn('editor');
    const theirs = await loggedIn('admin');
    await openProfile(mine, 'edit');
    await openProfile(theirs, 'edit');
    await theirs.getByLabel('Description').fill('Reads the quarterly numbers');
    await theirs.getByRole('button', { name: 'Save', exact: true }).click();
    await theirs.getByText('Saved as version 5.').waitFor();

    await mine.getByLabel('System prompt').fill('You are a terse analyst');
    await mine.getByRole('button', { name: 'Save', exact: true }).click();
    const conflict = mine.getByRole('alert').filter({ hasText: 'Someone saved first' });
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('now at version 5, saved by admin-token');
    expect(await conflict.getByRole('table').textContent()).toMatch(/description\s*added\s*—\s*Reads the quarterly numbers/);
    expect((await profileNow()).runtime.system_prompt).toBe('You are an analyst'); // nothing of mine was saved
    await expectAccessible(mine, 'the conflict view');
    await screenshot(mine, 'conflict');

    await mine.getByRole('button', { name: 'Re-apply my edit on version 5' }).click();
    await mine.getByText('Saved as version 6.').waitFor();
    expect(await profileNow()).toMatchObject({ description: 'Reads the quarterly numbers', runtime: { system_prompt: 'You are a terse analyst' }, metadata: { version: 6 } });
  });

  it('shows a change made through the API within a second, without a reload', async () => {
    const page = await loggedIn('reader');
    await openProfile(page);
    await page.getByRole('status').filter({ hasText: 'live updates on' }).waitFor();
    const before = await page.evaluate('performance.timeOrigin + performance.now()');
    expect((await api('editor', 'PATCH', `/api/chat/profiles/${SLUG}`, { registry: REGISTRY, display_name: 'Live analyst' })).status).toBe(200);
    await page.getByText('Live analyst').first().waitFor({ timeout: 1000 });
    expect(await shownVersion(page)).toContain('version 7');
    expect(await page.evaluate(`performance.timeOrigin + performance.now() - ${String(before)}`)).toBeLessThan(1500);
    await screenshot(page, 'live-update');
  });

  it('shows the schema\'s message beside an invalid middleware config, and saves nothing', async () => {
    const page = await loggedIn('editor');
    await openProfile(page, 'edit');
    await page.getByRole('button', { name: 'Add middleware' }).click();
    await page.getByLabel('Name', { exact: true }).fill('agentmode');
    const turns = page.getByLabel('max_turns (integer)');
    await turns.fill('0');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const message = page.locator('#mw-0-config-max_turns-errors');
    await message.waitFor();
    expect(await message.textContent()).toBe('must be >= 1');
    expect(await turns.getAttribute('aria-invalid')).toBe('true');
    expect(await profileNow()).toMatchObject({ metadata: { version: 7 } });
    expect((await profileNow()).runtime.middlewares ?? []).toEqual([]);
    await expectAccessible(page, 'the editor with a validation message');
    await screenshot(page, 'invalid-middleware-config');

    await turns.fill('3');
    await page.getByLabel('default_mode').selectOption('plan');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved as version 8.').waitFor();
    expect((await profileNow()).runtime.middlewares).toEqual([{ name: 'agentmode', enabled: true, config: { max_turns: 3, default_mode: 'plan' } }]);
  });

  it('restores a whole registry after a dry run', async () => {
    const page = await loggedIn('admin');
    await page.goto(`${server.url}/console/#/r/${REGISTRY}/history`);
    const timeline = page.getByRole('table', { name: `Timeline of registry ${REGISTRY}` });
    await timeline.waitFor();
    const registryBefore = (await api('admin', 'GET', `/api/registries/${REGISTRY}`)).json;
    // registry version 2 is the profile's creation (version 1 created the registry)
    await page.getByLabel('Version to restore').fill('2');
    await page.getByRole('button', { name: 'Preview restore' }).click();
    const preview = page.getByRole('table', { name: 'Restoring version 2 would change' });
    await preview.waitFor();
    expect(await preview.textContent()).toContain(`profiles › ${SLUG} › runtime › middlewares`);
    expect((await api('admin', 'GET', `/api/registries/${REGISTRY}`)).json.metadata.version).toBe(registryBefore.metadata.version);
    await expectAccessible(page, 'the registry restore preview');
    await screenshot(page, 'registry-restore-preview');
    await page.getByRole('button', { name: 'Confirm restore of version 2' }).click();
    await page.getByText('Restored version 2 as a new version.').waitFor();
    const stored = await profileNow();
    expect(stored).toMatchObject({ display_name: 'Analyst', runtime: { system_prompt: 'You are an analyst' }, metadata: { version: 9 } });
    expect(stored.runtime.middlewares ?? []).toEqual([]);
    await expect.poll(async () => (await timeline.textContent()) ?? '').toContain('admin-token');
  });

  it('shows a reader no edit, create or restore controls', async () => {
    const page = await loggedIn('reader');
    await page.goto(`${server.url}/console/#/r/${REGISTRY}/profiles`);
    await page.getByRole('link', { name: SLUG }).waitFor();
    expect(await page.getByRole('link', { name: 'New profile' }).count()).toBe(0);
    await openProfile(page);
    // the page is loaded once its document section shows (it comes after the heading)
    await page.getByText('Secrets read as ***').waitFor();
    expect(await page.getByText('Secrets read as ***').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Raw JSON' }).count()).toBe(0);
    await page.getByRole('link', { name: 'History' }).click();
    await page.locator('table.timeline tbody tr').first().waitFor();
    expect(await page.getByRole('button', { name: 'Preview restore' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Save|Confirm/ }).count()).toBe(0);
    await page.goto(`${server.url}/console/#/r/${REGISTRY}/history`);
    await page.getByRole('table', { name: `Timeline of registry ${REGISTRY}` }).waitFor();
    expect(await page.getByLabel('Version to restore').count()).toBe(0);
    await expectAccessible(page, 'the registry history as a reader');
    await screenshot(page, 'reader-view');
  });

  it('shows secrets as *** unless an admin reveals them', async () => {
    const secret = 'sk-console-test-0123456789';
    const created = await api('admin', 'POST', '/api/chat/profiles', {
      registry: REGISTRY,
      slug: 'vault',
      runtime: { step_settings_patch: { 'ai-chat': { 'openai-api-key': secret, 'ai-engine': 'gpt-4o-mini' } } },
    });
    expect(created.status).toBe(201);
    const reader = await loggedIn('reader');
    await reader.goto(`${server.url}/console/#/r/${REGISTRY}/p/vault/overview`);
    const readerDocument = reader.getByLabel('Document of vault');
    await readerDocument.waitFor();
    await reader.getByText('Stack lineage').waitFor();
    expect(await readerDocument.textContent()).toContain('"openai-api-key": "***"');
    expect(await reader.content()).not.toContain(secret);
    expect(await reader.getByLabel('Reveal secrets (logged by the server)').count()).toBe(0);

    const admin = await loggedIn('admin');
    await admin.goto(`${server.url}/console/#/r/${REGISTRY}/p/vault/overview`);
    await admin.getByText('Stack lineage').waitFor();
    expect(await admin.content()).not.toContain(secret); // resolve gives an admin the secret: the console masks it until asked
    await admin.getByLabel('Reveal secrets (logged by the server)').check();
    await expect.poll(async () => (await admin.getByLabel('Document of vault').textContent()) ?? '').toContain(secret);
    await admin.getByLabel('Show secrets of the effective runtime').check();
    await expect.poll(async () => (await admin.getByRole('table', { name: 'Fields of the effective runtime and where they come from' }).textContent()) ?? '').toContain(secret);
    await expectAccessible(admin, 'a profile with its secrets revealed');
    await screenshot(admin, 'secrets-revealed');
  });
});
