import { describe, it } from 'vitest';
import { newProfileContent, type ProfileContent, type ProfileFieldsInput } from '../../src/domain/profile.js';
import type { EventBody } from '../../src/events/event-types.js';
import { given } from '../support/decider-spec.js';

const content = (slug: string, fields: ProfileFieldsInput = {}): ProfileContent => newProfileContent(slug, fields);

const registryCreated = (slug = 'reg'): EventBody => ({ type: 'registry.created', data: { slug } });
const profileCreated = (profile: string, version = 1, fields: ProfileFieldsInput = {}): EventBody => ({
  type: 'profile.created',
  data: { profile, version, content: content(profile, fields) },
});
const profileUpdated = (profile: string, version: number, fields: ProfileFieldsInput): EventBody => ({
  type: 'profile.updated',
  data: { profile, version, content: content(profile, fields) },
});
const profileDeleted = (profile: string, version: number): EventBody => ({ type: 'profile.deleted', data: { profile, version } });
const defaultChanged = (profile: string | null): EventBody => ({
  type: 'registry.default_profile_changed',
  data: { profile },
});

/** Registry `reg` (version 3) with profiles `a` (default) and `b`. */
const twoProfiles: EventBody[] = [registryCreated(), profileCreated('a'), defaultChanged('a'), profileCreated('b')];
const readOnlyProfile: EventBody[] = [
  registryCreated(),
  profileCreated('locked', 1, { policy: { read_only: true } }),
  defaultChanged('locked'),
];

describe('decide create_registry', () => {
  it('creates a registry that never existed', () =>
    given([])
      .when({ type: 'create_registry', registry: 'reg', display_name: 'Reg', description: 'd' })
      .then([{ type: 'registry.created', data: { slug: 'reg', display_name: 'Reg', description: 'd' } }]));

  it('leaves blank names out', () =>
    given([])
      .when({ type: 'create_registry', registry: 'reg', display_name: '' })
      .then([{ type: 'registry.created', data: { slug: 'reg' } }]));

  it('refuses a live slug', () =>
    given([registryCreated()])
      .when({ type: 'create_registry', registry: 'reg' })
      .thenRefused('already_exists', 'registry "reg" already exists'));

  it('creates a deleted registry again', () =>
    given([registryCreated(), { type: 'registry.deleted', data: {} }])
      .when({ type: 'create_registry', registry: 'reg' })
      .then([registryCreated()]));
});

describe('decide update_registry', () => {
  it('records changed names; an empty string clears', () =>
    given([registryCreated(), { type: 'registry.updated', data: { display_name: 'Old', description: 'keep' } }])
      .when({ type: 'update_registry', registry: 'reg', display_name: 'New', description: '' })
      .then([{ type: 'registry.updated', data: { display_name: 'New', description: null } }]));

  it('appends nothing when nothing changes', () =>
    given([...twoProfiles, { type: 'registry.updated', data: { display_name: 'Same' } }])
      .when({ type: 'update_registry', registry: 'reg', display_name: 'Same', default_profile_slug: 'a' })
      .then([]));

  it('changes the default profile to an existing one', () =>
    given(twoProfiles).when({ type: 'update_registry', registry: 'reg', default_profile_slug: 'b' }).then([defaultChanged('b')]));

  it('refuses a default profile that does not exist', () =>
    given(twoProfiles)
      .when({ type: 'update_registry', registry: 'reg', default_profile_slug: 'ghost' })
      .thenRefused('not_found', 'profile not found'));

  it('refuses to clear the default while profiles remain', () =>
    given(twoProfiles)
      .when({ type: 'update_registry', registry: 'reg', default_profile_slug: null })
      .thenRefused('default_profile_in_use', 'a registry with profiles must keep a default profile'));

  it('refuses a stale registry version', () =>
    given(twoProfiles)
      .when({ type: 'update_registry', registry: 'reg', display_name: 'x', expected_version: 2 })
      .thenRefused('version_conflict', 'registry "reg" version conflict: expected=2 actual=4'));

  it('accepts the current registry version, and 0 as no check', () => {
    given(twoProfiles)
      .when({ type: 'update_registry', registry: 'reg', display_name: 'x', expected_version: 4 })
      .then([{ type: 'registry.updated', data: { display_name: 'x' } }]);
    given(twoProfiles)
      .when({ type: 'update_registry', registry: 'reg', display_name: 'x', expected_version: 0 })
      .then([{ type: 'registry.updated', data: { display_name: 'x' } }]);
  });

  it('refuses an unknown or deleted registry', () => {
    given([]).when({ type: 'update_registry', registry: 'reg', display_name: 'x' }).thenRefused('not_found', 'registry not found');
    given([registryCreated(), { type: 'registry.deleted', data: {} }])
      .when({ type: 'update_registry', registry: 'reg', display_name: 'x' })
      .thenRefused('not_found', 'registry not found');
  });
});

describe('decide delete_registry', () => {
  it('deletes a registry', () =>
    given(twoProfiles).when({ type: 'delete_registry', registry: 'reg' }).then([{ type: 'registry.deleted', data: {} }]));

  it('refuses to delete the default registry', () =>
    given([registryCreated('default')])
      .when({ type: 'delete_registry', registry: 'default' })
      .thenRefused('default_profile_in_use', 'the default registry cannot be deleted'));

  it('refuses a stale registry version', () =>
    given(twoProfiles)
      .when({ type: 'delete_registry', registry: 'reg', expected_version: 1 })
      .thenRefused('version_conflict', 'registry "reg" version conflict: expected=1 actual=4'));

  it('refuses an unknown registry', () =>
    given([]).when({ type: 'delete_registry', registry: 'reg' }).thenRefused('not_found', 'registry not found'));
});

describe('decide create_profile', () => {
  it('makes the first profile of a registry its default', () =>
    given([registryCreated()])
      .when({ type: 'create_profile', registry: 'reg', slug: 'a', fields: { display_name: 'A' } })
      .then([profileCreated('a', 1, { display_name: 'A' }), defaultChanged('a')]));

  it('keeps the default unless set_default', () => {
    given(twoProfiles).when({ type: 'create_profile', registry: 'reg', slug: 'c', fields: {} }).then([profileCreated('c')]);
    given(twoProfiles)
      .when({ type: 'create_profile', registry: 'reg', slug: 'c', fields: {}, set_default: true })
      .then([profileCreated('c'), defaultChanged('c')]);
  });

  it('refuses a live slug', () =>
    given(twoProfiles)
      .when({ type: 'create_profile', registry: 'reg', slug: 'b', fields: {} })
      .thenRefused('already_exists', 'profile "b" already exists'));

  it('continues the versions of a deleted slug', () =>
    given([...twoProfiles, profileUpdated('b', 2, { description: 'x' }), profileDeleted('b', 3)])
      .when({ type: 'create_profile', registry: 'reg', slug: 'b', fields: {} })
      .then([profileCreated('b', 4)]));

  it('refuses invalid fields', () =>
    given([registryCreated()])
      .when({ type: 'create_profile', registry: 'reg', slug: 'a', fields: { runtime: { tools: [' '] } } })
      .thenRefused('validation', 'validation error (runtime.tools[0]): must not be blank'));

  it('refuses an unknown registry', () =>
    given([]).when({ type: 'create_profile', registry: 'reg', slug: 'a', fields: {} }).thenRefused('not_found', 'registry not found'));
});

describe('decide update_profile', () => {
  it('replaces the present fields and bumps the profile version', () =>
    given([...twoProfiles, profileUpdated('b', 2, { description: 'kept' })])
      .when({ type: 'update_profile', registry: 'reg', slug: 'b', fields: { display_name: 'B' }, expected_version: 2 })
      .then([profileUpdated('b', 3, { description: 'kept', display_name: 'B' })]));

  it('appends nothing for the same content', () =>
    given(twoProfiles).when({ type: 'update_profile', registry: 'reg', slug: 'b', fields: { runtime: {} } }).then([]));

  it('only moves the default when set_default changes nothing else', () =>
    given(twoProfiles)
      .when({ type: 'update_profile', registry: 'reg', slug: 'b', fields: {}, set_default: true })
      .then([defaultChanged('b')]));

  it('refuses a stale version with pinocchio’s message', () =>
    given([...twoProfiles, profileUpdated('a', 2, { description: 'v2' })])
      .when({ type: 'update_profile', registry: 'reg', slug: 'a', fields: { description: 'v3' }, expected_version: 1 })
      .thenRefused('version_conflict', 'profile "a" version conflict: expected=1 actual=2'));

  it('refuses a read-only profile', () =>
    given(readOnlyProfile)
      .when({ type: 'update_profile', registry: 'reg', slug: 'locked', fields: { description: 'x' } })
      .thenRefused('policy_violation', 'policy violation for profile "locked": profile is read-only'));

  it('refuses an unknown or deleted profile', () => {
    given(twoProfiles)
      .when({ type: 'update_profile', registry: 'reg', slug: 'ghost', fields: {} })
      .thenRefused('not_found', 'profile not found');
    given([...twoProfiles, profileDeleted('b', 2)])
      .when({ type: 'update_profile', registry: 'reg', slug: 'b', fields: {} })
      .thenRefused('not_found', 'profile not found');
  });
});

describe('decide delete_profile', () => {
  it('deletes a profile that is not the default', () =>
    given(twoProfiles)
      .when({ type: 'delete_profile', registry: 'reg', slug: 'b', expected_version: 1 })
      .then([profileDeleted('b', 2)]));

  it('refuses to delete the default while others remain', () =>
    given(twoProfiles)
      .when({ type: 'delete_profile', registry: 'reg', slug: 'a' })
      .thenRefused(
        'default_profile_in_use',
        'cannot delete default profile "a" while other profiles remain; set another default first',
      ));

  it('deletes the last profile and clears the default', () =>
    given([registryCreated(), profileCreated('a'), defaultChanged('a')])
      .when({ type: 'delete_profile', registry: 'reg', slug: 'a' })
      .then([profileDeleted('a', 2), defaultChanged(null)]));

  it('refuses a stale version', () =>
    given(twoProfiles)
      .when({ type: 'delete_profile', registry: 'reg', slug: 'b', expected_version: 999 })
      .thenRefused('version_conflict', 'profile "b" version conflict: expected=999 actual=1'));

  it('refuses a read-only profile', () =>
    given(readOnlyProfile)
      .when({ type: 'delete_profile', registry: 'reg', slug: 'locked' })
      .thenRefused('policy_violation', 'policy violation for profile "locked": profile is read-only'));

  it('refuses an unknown profile', () =>
    given(twoProfiles).when({ type: 'delete_profile', registry: 'reg', slug: 'ghost' }).thenRefused('not_found', 'profile not found'));
});

describe('decide set_default_profile', () => {
  it('moves the default', () =>
    given(twoProfiles).when({ type: 'set_default_profile', registry: 'reg', slug: 'b', expected_version: 4 }).then([defaultChanged('b')]));

  it('appends nothing when it already is the default', () =>
    given(twoProfiles).when({ type: 'set_default_profile', registry: 'reg', slug: 'a' }).then([]));

  it('refuses an unknown profile', () =>
    given(twoProfiles).when({ type: 'set_default_profile', registry: 'reg', slug: 'ghost' }).thenRefused('not_found', 'profile not found'));

  it('refuses a stale registry version', () =>
    given(twoProfiles)
      .when({ type: 'set_default_profile', registry: 'reg', slug: 'b', expected_version: 3 })
      .thenRefused('version_conflict', 'registry "reg" version conflict: expected=3 actual=4'));
});

describe('decide put_profile', () => {
  it('replaces the whole content of a live profile', () =>
    given(twoProfiles)
      .when({ type: 'put_profile', registry: 'reg', slug: 'b', content: content('b', { description: 'restored' }), expected_version: 1 })
      .then([profileUpdated('b', 2, { description: 'restored' })]));

  it('appends nothing for the same content', () =>
    given(twoProfiles).when({ type: 'put_profile', registry: 'reg', slug: 'b', content: content('b') }).then([]));

  it('brings a deleted profile back with its versions continued', () =>
    given([...twoProfiles, profileDeleted('b', 2)])
      .when({ type: 'put_profile', registry: 'reg', slug: 'b', content: content('b'), expected_version: 2 })
      .then([profileCreated('b', 3)]));

  it('refuses a stale version of a deleted profile', () =>
    given([...twoProfiles, profileDeleted('b', 2)])
      .when({ type: 'put_profile', registry: 'reg', slug: 'b', content: content('b'), expected_version: 1 })
      .thenRefused('version_conflict', 'profile "b" version conflict: expected=1 actual=2'));

  it('refuses a read-only profile', () =>
    given(readOnlyProfile)
      .when({ type: 'put_profile', registry: 'reg', slug: 'locked', content: content('locked') })
      .thenRefused('policy_violation', 'policy violation for profile "locked": profile is read-only'));

  it('refuses an unknown registry', () =>
    given([]).when({ type: 'put_profile', registry: 'reg', slug: 'a', content: content('a') }).thenRefused('not_found', 'registry not found'));
});

describe('decide converge_registry', () => {
  const target = (profiles: string[], extra: { default_profile_slug?: string; display_name?: string } = {}) => ({
    ...extra,
    profiles: Object.fromEntries(profiles.map((slug) => [slug, content(slug, { description: `${slug}!` })])),
  });

  it('creates a missing registry with its profiles and a default', () =>
    given([])
      .when({ type: 'converge_registry', registry: 'reg', target: target(['b', 'a'], { display_name: 'Reg' }), prune: false })
      .then([
        { type: 'registry.created', data: { slug: 'reg', display_name: 'Reg' } },
        profileCreated('a', 1, { description: 'a!' }),
        profileCreated('b', 1, { description: 'b!' }),
        defaultChanged('a'),
      ]));

  it('prunes, updates and moves the default in one go', () =>
    given(twoProfiles)
      .when({ type: 'converge_registry', registry: 'reg', target: target(['b', 'c'], { default_profile_slug: 'c' }), prune: true })
      .then([profileUpdated('b', 2, { description: 'b!' }), profileCreated('c', 1, { description: 'c!' }), defaultChanged('c'), profileDeleted('a', 2)]));

  it('keeps profiles outside the target without prune', () =>
    given(twoProfiles)
      .when({ type: 'converge_registry', registry: 'reg', target: target(['c']), prune: false })
      .then([profileCreated('c', 1, { description: 'c!' })]));

  it('appends nothing when the registry already matches', () =>
    given([registryCreated(), profileCreated('a', 1, { description: 'a!' }), defaultChanged('a')])
      .when({ type: 'converge_registry', registry: 'reg', target: target(['a']), prune: true })
      .then([]));

  it('continues the versions of deleted profiles', () =>
    given([...twoProfiles, profileDeleted('b', 2)])
      .when({ type: 'converge_registry', registry: 'reg', target: target(['a', 'b']), prune: false })
      .then([profileUpdated('a', 2, { description: 'a!' }), profileCreated('b', 3, { description: 'b!' })]));

  it('refuses a default that is not among the profiles', () =>
    given([])
      .when({ type: 'converge_registry', registry: 'reg', target: target(['a'], { default_profile_slug: 'ghost' }), prune: false })
      .thenRefused('validation', 'validation error (default_profile_slug): profile "ghost" is not in the registry'));

  it('refuses a stale registry version', () =>
    given(twoProfiles)
      .when({ type: 'converge_registry', registry: 'reg', target: target(['a']), prune: false, expected_version: 1 })
      .thenRefused('version_conflict', 'registry "reg" version conflict: expected=1 actual=4'));
});
