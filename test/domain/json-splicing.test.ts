import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { contentJson, eventDataJson } from '../../src/domain/content-json.js';
import { arrayJson, BYTES_TEXT, objectJson, objectJsonIn, SQL_TEXT } from '../../src/domain/json-splicing.js';
import type { ProfileState, RegistryState } from '../../src/events/registry-state.js';
import { withSignatureValid } from '../../src/http/signed-documents.js';
import { SQLITE_FLAVOUR } from '../../src/events/sqlite/sqlite-flavour.js';
import { projectionSchema } from '../../src/projections/projection-schema.js';
import {
  profileDocumentJson,
  registryHeaderJson,
  registryMetadataJson,
  registryPayloadJson,
  registrySummaryJson,
  storedProfileJson,
} from '../../src/projections/registry-serialization.js';
import { serializeRegistryState } from '../../src/projections/registry-snapshots.js';
import { schemaReadJson } from '../../src/projections/schema-projection.js';
import {
  contentArb,
  jsonArb,
  nonIndexKeyArb,
  nonIndexSlugArb,
  profileStateArb,
  registryStateArb,
  slugArb,
} from '../support/profile-arbitraries.js';

/**
 * Every piece of JSON the code assembles from pieces, against JSON.stringify of the value it
 * stands for. The values here are written out from API.md section 1, independently of the code.
 */
const storedProfileValue = (profile: ProfileState) => {
  const { content, stamp } = profile;
  return {
    slug: content.slug,
    display_name: content.display_name,
    description: content.description,
    runtime: content.runtime,
    policy: content.policy,
    metadata: {
      source: stamp.source,
      version: profile.version,
      created_at_ms: stamp.created_at_ms,
      updated_at_ms: stamp.updated_at_ms,
      created_by: stamp.created_by,
      updated_by: stamp.updated_by,
      ...(content.tags.length > 0 ? { tags: content.tags } : {}),
    },
    ...(Object.keys(content.extensions).length > 0 ? { extensions: content.extensions } : {}),
    ...(content.stack.length > 0 ? { stack: content.stack } : {}),
  };
};

const headerValue = (state: RegistryState) => ({
  slug: state.slug,
  display_name: state.display_name,
  description: state.description,
  default_profile_slug: state.default_profile_slug,
  unknown_middlewares: state.unknown_middlewares,
  unknown_extensions: state.unknown_extensions,
});

const metadataValue = (state: RegistryState) => ({
  version: state.version,
  created_at_ms: state.stamp.created_at_ms,
  updated_at_ms: state.stamp.updated_at_ms,
  created_by: state.stamp.created_by,
  updated_by: state.stamp.updated_by,
  source: state.stamp.source,
});

const bySlug = <T>(map: ReadonlyMap<string, T>): [string, T][] => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const payloadValue = (state: RegistryState) => ({
  ...headerValue(state),
  profiles: Object.fromEntries(bySlug(state.profiles).map(([slug, profile]) => [slug, storedProfileValue(profile)])),
  metadata: metadataValue(state),
});

const RUNS = { numRuns: 300 };

describe('JSON spliced from pieces is byte for byte JSON.stringify of the same value', () => {
  it('profile content and the data of its events', () => {
    fc.assert(
      fc.property(contentArb(), fc.integer({ min: 1, max: 1e6 }), (content, version) => {
        expect(contentJson(content)).toBe(JSON.stringify(content));
        const data = { profile: content.slug, version, content };
        expect(eventDataJson(data)).toBe(JSON.stringify(data));
      }),
      RUNS,
    );
  });

  it('the stored profile and the profile document, signed or not', () => {
    fc.assert(
      fc.property(profileStateArb(), slugArb, fc.boolean(), fc.stringMatching(/^[0-9a-f]{16}$/), (profile, registry, isDefault, fingerprint) => {
        const stored = storedProfileValue(profile);
        expect(storedProfileJson(profile)).toBe(JSON.stringify(stored));
        const document = { registry, ...stored, is_default: isDefault, fingerprint, signature: profile.signature };
        const json = profileDocumentJson(registry, profile, isDefault, fingerprint);
        expect(json).toBe(JSON.stringify(document));
        const withVerdict = { ...document, signature_valid: profile.signature ? false : undefined };
        expect(withSignatureValid(json, profile, 'invalid')).toBe(JSON.stringify(withVerdict));
        expect(withSignatureValid(Buffer.from(json), profile, 'invalid').toString()).toBe(JSON.stringify(withVerdict));
      }),
      RUNS,
    );
  });

  it('the registry payload, its header, metadata and summary, and the whole state', () => {
    fc.assert(
      fc.property(registryStateArb(nonIndexSlugArb), (state) => {
        expect(registryHeaderJson(state)).toBe(JSON.stringify(headerValue(state)));
        expect(registryMetadataJson(state)).toBe(JSON.stringify(metadataValue(state)));
        expect(registryPayloadJson(state)).toBe(JSON.stringify(payloadValue(state)));
        expect(registrySummaryJson(state)).toBe(
          JSON.stringify({ ...headerValue(state), profile_count: state.profiles.size, version: state.version, updated_at_ms: state.stamp.updated_at_ms }),
        );
        const { profiles, tombstones, ...fields } = state;
        const whole = {
          ...fields,
          tombstones: bySlug(tombstones),
          profiles: bySlug(profiles).map(([slug, profile]) =>
            profile.signature ? [slug, storedProfileValue(profile), profile.signature] : [slug, storedProfileValue(profile)],
          ),
        };
        expect(serializeRegistryState(state)).toBe(JSON.stringify(whole));
      }),
      RUNS,
    );
  });

  it('keeps profiles in slug order (byte order) when slugs are numbers, which a JavaScript object would reorder', () => {
    fc.assert(
      fc.property(registryStateArb(), (state) => {
        const payload = registryPayloadJson(state);
        expect(JSON.parse(payload)).toEqual(JSON.parse(JSON.stringify(payloadValue(state))));
        const at = bySlug(state.profiles).map(([slug]) => payload.indexOf(`"${slug}":{"slug":"${slug}"`));
        expect(at.every((position, index) => position > 0 && (index === 0 || position > (at[index - 1] as number)))).toBe(true);
      }),
      RUNS,
    );
    const numbered = registryPayloadJson({
      slug: 'numbers',
      live: true,
      version: 2,
      stamp: { created_at_ms: 1, updated_at_ms: 2, created_by: 'a', updated_by: 'a', source: 'api' },
      profiles: new Map(
        ['2', '10', 'b'].map((slug) => [
          slug,
          {
            content: { slug, runtime: {}, policy: { allow_overrides: true, allowed_override_keys: [], denied_override_keys: [], read_only: false }, extensions: {}, stack: [], tags: [] },
            version: 1,
            stamp: { created_at_ms: 1, updated_at_ms: 1, created_by: 'a', updated_by: 'a', source: 'api' },
          },
        ]),
      ),
      tombstones: new Map(),
    });
    expect([...numbered.matchAll(/"(\w+)":\{"slug"/g)].map((match) => match[1])).toEqual(['10', '2', 'b']);
  });

  it('schemas with their metadata, lists, and objects spread into others', () => {
    fc.assert(
      fc.property(
        fc.dictionary(nonIndexKeyArb, jsonArb, { minKeys: 1, maxKeys: 4 }),
        fc.dictionary(nonIndexKeyArb, jsonArb, { maxKeys: 4 }),
        fc.array(jsonArb, { maxLength: 5 }),
        (document, metadata, items) => {
          fc.pre(!('metadata' in document));
          expect(schemaReadJson(JSON.stringify(document), JSON.stringify(metadata))).toBe(JSON.stringify({ ...document, metadata }));
          expect(arrayJson(items.map((item) => JSON.stringify(item)))).toBe(JSON.stringify(items));
          const members = Object.entries(metadata).map(([key, value]): [string, string] => [key, JSON.stringify(value)]);
          const inBoth = Object.keys(metadata).some((key) => key in document);
          if (!inBoth) expect(objectJson([{ spread: JSON.stringify(document) }, ...members])).toBe(JSON.stringify({ ...document, ...metadata }));
        },
      ),
      RUNS,
    );
  });

  it('refuses to spread an object with no members (it would leave a stray comma)', () => {
    expect(() => objectJson([['a', '1'], { spread: '{}' }])).toThrow(/no members/);
    expect(() => objectJsonIn(BYTES_TEXT, [{ spread: Buffer.from('{}') }])).toThrow(/no members/);
  });
});

describe('the registries view assembles in SQL the payload the code assembles', () => {
  const db = new Database(':memory:');
  db.exec(projectionSchema(SQLITE_FLAVOUR));
  afterAll(() => db.close());

  it('SELECT payload_text FROM profile_registries is registryPayloadJson, for random registries', () => {
    const insertHeader = db.prepare(
      'INSERT INTO registry_headers (slug, header_json, metadata_json, updated_at_ms, version, summary_json) VALUES (?, ?, ?, 0, 0, ?)',
    );
    const insertDocument = db.prepare(
      "INSERT INTO profile_documents (registry, slug, version, etag, is_default, fingerprint, stored_json) VALUES (?, ?, 0, '', 0, '', ?)",
    );
    fc.assert(
      fc.property(registryStateArb(nonIndexSlugArb), (state) => {
        db.exec('DELETE FROM registry_headers; DELETE FROM profile_documents;');
        insertHeader.run(state.slug, registryHeaderJson(state), registryMetadataJson(state), registrySummaryJson(state));
        for (const profile of state.profiles.values()) insertDocument.run(state.slug, profile.content.slug, storedProfileJson(profile));
        const row = db.prepare('SELECT payload_text FROM profile_registries WHERE slug = ?').get(state.slug) as { payload_text: string };
        expect(row.payload_text).toBe(registryPayloadJson(state));
      }),
      { numRuns: 150 },
    );
  });

  it('quotes literals for SQL', () => {
    expect(SQL_TEXT.text("it's")).toBe("'it''s'");
    expect(db.prepare(`SELECT ${objectJsonIn(SQL_TEXT, [['quote', SQL_TEXT.text('"it\'s"')]])} AS json`).get()).toEqual({ json: '{"quote":"it\'s"}' });
  });
});
