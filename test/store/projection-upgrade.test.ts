import { afterEach, describe, expect, it } from 'vitest';
import { roleProfiles } from '../support/role-profiles.js';
import { describeEachBackend } from '../support/backends.js';
import { projectionRows } from '../support/store-snapshot.js';
import { openTestApp, type TestApp, buildTestApp } from '../support/test-store.js';

const earlierDocuments = (columns: string) => `DROP VIEW profile_registries; DROP TABLE profile_documents;
CREATE TABLE profile_documents (registry TEXT NOT NULL, slug TEXT NOT NULL, version BIGINT NOT NULL, etag TEXT NOT NULL,
  ${columns}, PRIMARY KEY (registry, slug));`;

/** The document table as earlier releases laid it out. */
const EARLIER_LAYOUTS = {
  'the whole document stored': earlierDocuments('stored_json TEXT NOT NULL, document_json TEXT NOT NULL, summary_json TEXT NOT NULL'),
  'the list entry stored': earlierDocuments(
    'is_default INTEGER NOT NULL, fingerprint TEXT NOT NULL, stored_json TEXT NOT NULL, summary_json TEXT NOT NULL',
  ),
};

describeEachBackend('opening a database with an earlier projection layout on %s', (backend) => {
  describe.each(Object.entries(EARLIER_LAYOUTS))('(%s)', (_layout, earlierLayout) => {
    let t: TestApp | undefined;
    afterEach(async () => t?.close());

    it('rebuilds the projections from the events, and reads answer as before', async () => {
      t = await openTestApp(backend);
      await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'staff' } });
      for (const role of roleProfiles()) {
        expect((await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: role })).statusCode).toBe(201);
      }
      const slug = roleProfiles()[3]!.slug;
      await t.app.inject({ method: 'PATCH', url: `/api/chat/profiles/${slug}?registry=staff`, payload: { description: 'edited' } });
      const before = await t.app.inject({ method: 'GET', url: `/api/chat/profiles/${slug}?registry=staff` });
      const listBefore = await t.app.inject({ method: 'GET', url: '/api/chat/profiles?registry=staff' });
      expect(JSON.parse(listBefore.body)).toHaveLength(roleProfiles().length);
      const rowsBefore = await projectionRows(t.store.db);
      await t.store.db.exec(earlierLayout);

      const reopened = await t.reopen();
      const app = await buildTestApp({ store: reopened });
      const after = await app.inject({ method: 'GET', url: `/api/chat/profiles/${slug}?registry=staff` });
      expect(after.statusCode).toBe(200);
      expect(after.body).toBe(before.body);
      expect(after.headers.etag).toBe(before.headers.etag);
      const listAfter = await app.inject({ method: 'GET', url: '/api/chat/profiles?registry=staff' });
      expect(listAfter.body).toBe(listBefore.body);
      expect(await projectionRows(reopened.db)).toEqual(rowsBefore);
      await app.close();
    });
  });
});
