import { describe, it } from 'vitest';
import { newProfileContent } from '../../src/domain/profile.js';
import type { EventBody } from '../../src/events/event-types.js';
import { given } from '../support/decider-spec.js';

const registryCreated: EventBody = { type: 'registry.created', data: { slug: 'reg' } };
const profileCreated = (profile: string): EventBody => ({
  type: 'profile.created',
  data: { profile, version: 1, content: newProfileContent(profile, {}) },
});
const twoProfiles = [registryCreated, profileCreated('a'), profileCreated('b')];

describe('what a command needs loaded before deciding', () => {
  it('a profile write: the schemas, and the registries its stack names', () => {
    given(twoProfiles)
      .when({ type: 'create_profile', registry: 'reg', slug: 'c', fields: { stack: [{ registry_slug: ' Base ', profile_slug: 'x' }, { profile_slug: 'a' }] } })
      .thenNeeds({ registries: ['base'], schemas: true });
    given(twoProfiles).when({ type: 'update_profile', registry: 'reg', slug: 'a', fields: { description: 'd' } }).thenNeeds({ schemas: true });
    given(twoProfiles)
      .when({ type: 'put_profile', registry: 'reg', slug: 'a', content: { ...newProfileContent('a', {}), stack: [{ registry_slug: 'other', profile_slug: 'y' }] } })
      .thenNeeds({ registries: ['other'], schemas: true });
  });

  it('a delete: who stacks on each profile it may delete', () => {
    given(twoProfiles).when({ type: 'delete_profile', registry: 'reg', slug: 'a' }).thenNeeds({ dependentsOf: ['a'] });
    given(twoProfiles).when({ type: 'delete_registry', registry: 'reg' }).thenNeeds({ dependentsOf: ['a', 'b'] });
    given([]).when({ type: 'delete_registry', registry: 'reg' }).thenNeeds({});
  });

  it('a converge: schemas and stacked registries, and the dependents of what it prunes only when it prunes', () => {
    const target = { profiles: { a: { ...newProfileContent('a', {}), stack: [{ registry_slug: 'base', profile_slug: 'x' }] } } };
    given(twoProfiles)
      .when({ type: 'converge_registry', registry: 'reg', target, prune: true })
      .thenNeeds({ registries: ['base'], dependentsOf: ['b'], schemas: true });
    given(twoProfiles)
      .when({ type: 'converge_registry', registry: 'reg', target, prune: false })
      .thenNeeds({ registries: ['base'], schemas: true });
  });

  it('registry fields, defaults and publishing: nothing beyond the registry itself', () => {
    given([]).when({ type: 'create_registry', registry: 'reg' }).thenNeeds({});
    given(twoProfiles).when({ type: 'update_registry', registry: 'reg', description: 'd' }).thenNeeds({});
    given(twoProfiles).when({ type: 'set_default_profile', registry: 'reg', slug: 'b' }).thenNeeds({});
  });
});
