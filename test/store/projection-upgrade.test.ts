import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/build-app.js';
import { gooseRoles } from '../support/goose-roles.js';
import { postgresAvailable } from '../support/postgres.js';
import { projectionRows } from '../support/store-snapshot.js';
import { openTestApp, type Backend, type TestApp } from '../support/test-store.js';

const backends: Backend[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

/** The document table as releases before the document was assembled on read laid it out. */
const EARLIER_DOCUMENTS = `DROP VIEW profile_registries; DROP TABLE profile_documents;
CREATE TABLE profile_documents (registry TEXT NOT NULL, slug TEXT NOT NULL, version BIGINT NOT NULL, etag TEXT NOT NULL,
  stored_json TEXT NOT NULL, document_json TEXT NOT NULL, summary_json TEXT NOT NULL, PRIMARY KEY (registry, slug));`;

describe.each(backends)('opening a database with an earlier projection layout on %s', (backend) => {
  let t: TestApp | undefined;
  afterEach(async () => t?.close());

  it('rebuilds the projections from the events, and reads answer as before', async () => {
    t = await openTestApp(backend);
    await t.app.inject({ method: 'POST', url: '/api/registries', payload: { slug: 'goose' } });
    for (const role of gooseRoles()) {
      expect((await t.app.inject({ method: 'POST', url: '/api/chat/profiles', payload: role })).statusCode).toBe(201);
    }
    const slug = gooseRoles()[3]!.slug;
    await t.app.inject({ method: 'PATCH', url: `/api/chat/profiles/${slug}?registry=goose`, payload: { description: 'edited' } });
    const before = await t.app.inject({ method: 'GET', url: `/api/chat/profiles/${slug}?registry=goose` });
    const rowsBefore = await projectionRows(t.store.db);
    await t.store.db.exec(EARLIER_DOCUMENTS);

    const reopened = await t.reopen();
    const app = await buildApp({ store: reopened, logLevel: 'silent' });
    const after = await app.inject({ method: 'GET', url: `/api/chat/profiles/${slug}?registry=goose` });
    expect(after.statusCode).toBe(200);
    expect(after.body).toBe(before.body);
    expect(after.headers.etag).toBe(before.headers.etag);
    expect(await projectionRows(reopened.db)).toEqual(rowsBefore);
    await app.close();
  });
});
