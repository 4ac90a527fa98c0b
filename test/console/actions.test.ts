import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumSkipReason, expectAccessible, screenshot, startConsoleSession, type ConsoleSession } from '../support/browser.js';

/**
 * The actions users expect of the console (issue 26), through the UI in Chromium, each checked
 * against the server's state afterwards: set the default, delete (and the refusal of a profile
 * others stack on), publish, duplicate, create a registry, and browse schemas with their history.
 * A role sees only what it may do.
 */
const REGISTRY = 'team';
const SECRET = 'sk-actions-test-0123456789';
const AGENTMODE_V1 = { type: 'object', properties: { max_turns: { type: 'integer', minimum: 1 } } };
const AGENTMODE_V2 = { type: 'object', properties: { max_turns: { type: 'integer', minimum: 1, maximum: 50 } } };
const title = chromiumAvailable ? 'console actions in a browser' : `console actions in a browser [skipped: ${chromiumSkipReason}]`;

describe.skipIf(!chromiumAvailable)(title, () => {
  let session: ConsoleSession;
  let server: ConsoleSession['server'];
  let api: ConsoleSession['api'];
  let loggedIn: ConsoleSession['loggedIn'];

  const stored = async (slug: string, reveal = false) => api('admin', 'GET', `/api/chat/profiles/${slug}?registry=${REGISTRY}${reveal ? '&reveal=secrets' : ''}`);
  const registryNow = async () => (await api('admin', 'GET', `/api/registries/${REGISTRY}`)).json;
  const openProfile = async (page: Page, slug: string) => {
    await page.goto(`${server.url}/console/#/r/${REGISTRY}/p/${slug}/overview`);
    await page.getByRole('heading', { level: 1, name: new RegExp(`^Profile ${slug}`) }).waitFor();
    await page.locator('.profile-version').waitFor();
  };

  beforeAll(async () => {
    session = await startConsoleSession(
      async (api) => {
        expect((await api('admin', 'POST', '/api/registries', { slug: REGISTRY, display_name: 'Team' })).status).toBe(201);
        for (const body of [
          { slug: 'base', display_name: 'Base', runtime: { system_prompt: 'You are helpful' } },
          { slug: 'child', display_name: 'Child', stack: [{ profile_slug: 'base' }], runtime: { tools: ['search'] }, metadata: { tags: ['kids'] } },
          { slug: 'spare', display_name: 'Spare' },
          { slug: 'vault', runtime: { step_settings_patch: { 'ai-chat': { 'openai-api-key': SECRET, 'ai-engine': 'gpt-4o-mini' } } } },
        ]) {
          expect((await api('admin', 'POST', '/api/chat/profiles', { registry: REGISTRY, ...body })).status).toBe(201);
        }
        expect((await api('admin', 'PUT', '/api/chat/schemas/middlewares/agentmode', { version: 1, display_name: 'Agent mode', schema: AGENTMODE_V1 })).status).toBe(201);
        expect((await api('admin', 'PUT', '/api/chat/schemas/middlewares/agentmode', { version: 2, display_name: 'Agent mode', schema: AGENTMODE_V2 })).status).toBe(200);
      },
      { signing: true },
    );
    ({ server, api, loggedIn } = session);
  }, 60_000);

  afterAll(async () => {
    await session?.close();
  });

  it('makes a profile the registry\'s default, then says why it cannot be made default again', async () => {
    expect((await registryNow()).default_profile_slug).toBe('base');
    const page = await loggedIn('editor');
    await openProfile(page, 'child');
    await page.getByRole('button', { name: 'Make default' }).click();
    await page.getByRole('status').filter({ hasText: 'child is now the default profile of team.' }).waitFor();
    expect((await registryNow()).default_profile_slug).toBe('child');
    expect((await stored('child')).json.is_default).toBe(true);
    await page.locator('h1 .badge').filter({ hasText: 'default' }).waitFor();
    const button = page.getByRole('button', { name: 'Make default' });
    await expect.poll(() => button.isDisabled()).toBe(true);
    expect(await button.getAttribute('aria-describedby')).toBe('default-reason');
    expect(await page.locator('#default-reason').textContent()).toBe('Already the default of team.');
  });

  it('refuses to delete a profile others stack on, saying who, and deletes another after confirmation', async () => {
    const page = await loggedIn('editor');
    await openProfile(page, 'base');
    await page.getByRole('button', { name: 'Delete…' }).click();
    await expectAccessible(page, 'the delete confirmation');
    await page.getByRole('button', { name: 'Delete base' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe('Not deleted: profile "base" is stacked on by team/child. Remove it from their stacks first.');
    expect((await stored('base')).status).toBe(200);
    await screenshot(page, 'delete-refused');

    await openProfile(page, 'spare');
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('button', { name: 'Delete spare' }).count()).toBe(0);
    expect((await stored('spare')).status).toBe(200);
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete spare' }).click();
    await page.getByRole('heading', { level: 1, name: `Registry ${REGISTRY}` }).waitFor();
    expect((await stored('spare')).status).toBe(404);
    await expect.poll(() => page.getByRole('link', { name: 'base', exact: true }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'spare', exact: true }).count()).toBe(0);
  });

  it('publishes a profile as an admin; an editor sees why not, and a reader sees no action', async () => {
    const editor = await loggedIn('editor');
    await openProfile(editor, 'base');
    const editorPublish = editor.getByRole('button', { name: 'Publish' });
    expect(await editorPublish.isDisabled()).toBe(true);
    expect(await editor.locator('#publish-reason').textContent()).toBe('Publishing needs the admin role.');

    const reader = await loggedIn('reader');
    await openProfile(reader, 'base');
    for (const name of ['Make default', 'Publish', 'Duplicate…', 'Delete…']) expect(await reader.getByRole('button', { name }).count()).toBe(0);

    const admin = await loggedIn('admin');
    await openProfile(admin, 'base');
    expect((await stored('base')).json.signature).toBeUndefined();
    await admin.getByRole('button', { name: 'Publish' }).click();
    await admin.getByRole('status').filter({ hasText: 'Published: version 1 is signed.' }).waitFor();
    const signed = (await stored('base')).json;
    expect(signed).toMatchObject({ signature_valid: true, signature: { version: 1, key_id: 'console-test', signed_by: 'admin-token' } });
    await admin.getByText(/Signature: valid/).waitFor();
    await expectAccessible(admin, 'a published profile with its actions');
    await screenshot(admin, 'profile-actions');
  });

  it('duplicates a profile under a new slug: the copy holds the same document, secrets included for an admin', async () => {
    const editor = await loggedIn('editor');
    await openProfile(editor, 'child');
    await editor.getByRole('button', { name: 'Duplicate…' }).click();
    await editor.getByLabel('Slug of the copy').fill('child-copy');
    await expectAccessible(editor, 'the duplicate form');
    await editor.getByRole('button', { name: 'Create the copy' }).click();
    await editor.getByRole('heading', { level: 1, name: /^Profile child-copy/ }).waitFor();
    const original = (await stored('child')).json;
    const copy = (await stored('child-copy')).json;
    expect(copy).toMatchObject({ display_name: 'Child', stack: original.stack, runtime: original.runtime, metadata: { version: 1, tags: ['kids'], created_by: 'editor-token' } });
    expect((await api('admin', 'GET', `/api/chat/profiles/child-copy/history?registry=${REGISTRY}`)).json.versions).toHaveLength(1);

    // a slug already taken: the server's 409 is shown and nothing is written
    await openProfile(editor, 'base');
    await editor.getByRole('button', { name: 'Duplicate…' }).click();
    await editor.getByLabel('Slug of the copy').fill('child');
    await editor.getByRole('button', { name: 'Create the copy' }).click();
    await expect.poll(async () => (await editor.getByRole('alert').textContent()) ?? '').toContain('409');
    expect((await stored('child')).json).toMatchObject({ display_name: 'Child', metadata: { version: 1 } });

    const admin = await loggedIn('admin');
    await openProfile(admin, 'vault');
    await admin.getByRole('button', { name: 'Duplicate…' }).click();
    await admin.getByLabel('Slug of the copy').fill('vault-copy');
    await admin.getByRole('button', { name: 'Create the copy' }).click();
    await admin.getByRole('heading', { level: 1, name: /^Profile vault-copy/ }).waitFor();
    expect(await admin.content()).not.toContain(SECRET);
    expect((await stored('vault-copy', true)).json.runtime.step_settings_patch['ai-chat']).toEqual({ 'openai-api-key': SECRET, 'ai-engine': 'gpt-4o-mini' });
  });

  it('creates a registry as an admin; other roles are not offered it', async () => {
    const editor = await loggedIn('editor');
    await editor.getByRole('link', { name: REGISTRY }).waitFor();
    expect(await editor.getByRole('button', { name: 'New registry' }).count()).toBe(0);

    const admin = await loggedIn('admin');
    await admin.getByRole('button', { name: 'New registry' }).click();
    await admin.getByLabel('Registry slug').fill('Not A Slug');
    await admin.getByRole('button', { name: 'Create registry' }).click();
    await expect.poll(async () => (await admin.getByRole('alert').first().textContent()) ?? '').toContain('400');
    await admin.getByLabel('Registry slug').fill('research');
    await admin.getByLabel('Registry display name').fill('Research');
    await admin.getByLabel('Registry description').fill('Profiles of the research team');
    await expectAccessible(admin, 'the new registry form');
    await admin.getByRole('button', { name: 'Create registry' }).click();
    await admin.getByRole('heading', { level: 1, name: /^Registry research/ }).waitFor();
    expect((await api('admin', 'GET', '/api/registries/research')).json).toMatchObject({ slug: 'research', display_name: 'Research', description: 'Profiles of the research team' });
    expect((await api('admin', 'GET', '/api/registries')).json.map((registry: { slug: string }) => registry.slug)).not.toContain('Not A Slug');
  });

  it('browses the schemas and a schema\'s versions, as a reader', async () => {
    const page = await loggedIn('reader');
    await page.getByRole('link', { name: 'Schemas' }).click();
    await page.getByRole('heading', { level: 1, name: 'Schemas' }).waitFor();
    await expect.poll(() => page.title()).toBe('Schemas · profile-registry console');
    const row = page.getByRole('row').filter({ hasText: 'agentmode' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/agentmode\s*Agent mode\s*2/);
    await expectAccessible(page, 'the schema list');
    await page.getByRole('link', { name: 'agentmode' }).click();
    await page.getByRole('heading', { level: 1, name: 'Schema of middleware agentmode' }).waitFor();
    // focus moves once the new page has been drawn (an effect after paint): wait for it
    await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('H1');
    const versions = page.getByRole('table', { name: 'Versions of agentmode, newest first' }).locator('tbody tr');
    await expect.poll(() => versions.count()).toBe(2);
    expect(await versions.first().textContent()).toMatch(/^2\s*registered\s*admin-token/);
    expect(await page.getByLabel('Schema of agentmode, entry 2').textContent()).toContain('"maximum": 50');
    await page.getByRole('button', { name: 'Show schema of entry 1' }).click();
    await expect.poll(async () => (await page.getByLabel('Schema of agentmode, entry 1').textContent()) ?? '').not.toContain('maximum');
    await expectAccessible(page, 'a schema with its versions');
    await screenshot(page, 'schema-history');
  });

  it('keeps the actions, their forms and the schema pages usable at 390 px in dark mode', async () => {
    const page = await loggedIn('admin', 390);
    await page.emulateMedia({ colorScheme: 'dark' });
    const fits = async (where: string) => {
      const wide = await page.evaluate(
        '[...document.querySelectorAll("body *")].filter((element) => element.getBoundingClientRect().right > 390).slice(0, 5).map((element) => element.tagName + "." + element.className).join(" ")',
      );
      expect(await page.evaluate('document.documentElement.scrollWidth'), `width of ${where} at 390 px (wider: ${String(wide)})`).toBeLessThanOrEqual(390);
      await expectAccessible(page, `${where} at 390 px in dark mode`);
    };
    await page.getByRole('button', { name: 'New registry' }).click();
    await page.getByLabel('Registry slug').waitFor();
    await fits('the new registry form');
    await openProfile(page, 'child-copy');
    await page.getByRole('button', { name: 'Duplicate…' }).click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete child-copy' }).waitFor();
    await fits('a profile with its duplicate and delete forms open');
    await screenshot(page, 'narrow-dark-actions');
    await page.goto(`${server.url}/console/#/schemas/middlewares/agentmode`);
    await page.getByRole('button', { name: 'Show schema of entry 1' }).waitFor();
    await expect.poll(() => page.title()).toBe('Schema agentmode · profile-registry console');
    await fits('a schema with its versions');
  });
});
