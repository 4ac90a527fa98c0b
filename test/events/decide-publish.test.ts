import { createHmac } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import { describe, it } from 'vitest';
import { newProfileContent, type ProfileContent, type ProfileFieldsInput } from '../../src/domain/profile.js';
import type { EventBody } from '../../src/events/event-types.js';
import { given } from '../support/decider-spec.js';

const canonicalize = canonicalizeModule as unknown as (value: unknown) => string;
const content = (slug: string, fields: ProfileFieldsInput = {}): ProfileContent => newProfileContent(slug, fields);
const OLD_KEY = { id: 'k-2025', secret: 'the-old-secret-of-2025' };
const NEW_KEY = { id: 'k-2026', secret: 'the-new-secret-of-2026' };

/** The documented signature, computed here from its definition (docs/SECURITY.md), not from the code under test. */
const expectedSignature = (key: { id: string; secret: string }, signed: ProfileContent, version: number) => {
  const fields = { algorithm: 'hmac-sha256', key_id: key.id, version, signed_at: '1970-01-01T00:00:00.000Z', signed_by: 'unknown' };
  const payload = { ...fields, registry: 'reg', profile: signed.slug, content: signed };
  return { ...fields, value: createHmac('sha256', key.secret).update(canonicalize(payload)).digest('hex') };
};

const v1 = content('a', { runtime: { system_prompt: 'one' } });
const v2 = content('a', { runtime: { system_prompt: 'two' } });
const created: EventBody[] = [
  { type: 'registry.created', data: { slug: 'reg' } },
  { type: 'profile.created', data: { profile: 'a', version: 1, content: v1 } },
  { type: 'registry.default_profile_changed', data: { profile: 'a' } },
];
const published = (key: typeof OLD_KEY, signed: ProfileContent, version: number): EventBody => ({
  type: 'profile.published',
  data: { profile: 'a', ...expectedSignature(key, signed, version) },
});

describe('decide publish_profile', () => {
  it('signs the current version: an HMAC-SHA256 of the canonical JSON of its content and the signature fields', () =>
    given(created).when({ type: 'publish_profile', registry: 'reg', slug: 'a', key: OLD_KEY }).then([published(OLD_KEY, v1, 1)]));

  it('changes nothing when the current version is already signed by the same key', () =>
    given([...created, published(OLD_KEY, v1, 1)]).when({ type: 'publish_profile', registry: 'reg', slug: 'a', key: OLD_KEY }).then([]));

  it('signs again under a new key (rotation), and signs the new version after a change', () => {
    given([...created, published(OLD_KEY, v1, 1)])
      .when({ type: 'publish_profile', registry: 'reg', slug: 'a', key: NEW_KEY })
      .then([published(NEW_KEY, v1, 1)]);
    given([...created, published(OLD_KEY, v1, 1), { type: 'profile.updated', data: { profile: 'a', version: 2, content: v2 } }])
      .when({ type: 'publish_profile', registry: 'reg', slug: 'a', key: OLD_KEY })
      .then([published(OLD_KEY, v2, 2)]);
  });

  it('re-signs a signature whose value does not verify', () => {
    const broken: EventBody = { type: 'profile.published', data: { profile: 'a', ...expectedSignature(OLD_KEY, v1, 1), value: '0'.repeat(64) } };
    given([...created, broken]).when({ type: 'publish_profile', registry: 'reg', slug: 'a', key: OLD_KEY }).then([published(OLD_KEY, v1, 1)]);
  });

  it('refuses a stale expected_version, an unknown profile and a deleted registry', () => {
    given(created)
      .when({ type: 'publish_profile', registry: 'reg', slug: 'a', key: OLD_KEY, expected_version: 2 })
      .thenRefused('version_conflict', 'profile "a" version conflict: expected=2 actual=1');
    given(created).when({ type: 'publish_profile', registry: 'reg', slug: 'nobody', key: OLD_KEY }).thenRefused('not_found', 'profile not found');
    given([]).when({ type: 'publish_profile', registry: 'reg', slug: 'a', key: OLD_KEY }).thenRefused('not_found', 'registry not found');
  });
});
