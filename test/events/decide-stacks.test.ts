import { describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import { emptyProfile, type ProfileContent } from '../../src/domain/profile.js';
import { decide, type DecideContext } from '../../src/events/decide.js';
import type { DomainEvent, EventBody } from '../../src/events/event-types.js';
import { foldEvents } from '../../src/events/evolve.js';
import { CURRENT_SCHEMA_VERSION } from '../../src/events/event-types.js';

const given = (registry: string, bodies: EventBody[]) =>
  foldEvents(
    bodies.map(
      (body, i) =>
        ({
          ...body,
          schema_version: CURRENT_SCHEMA_VERSION[body.type],
          metadata: { actor: 't', source: 't', request_id: 't', occurred_at_ms: i },
        }) as DomainEvent,
    ),
    registry,
  );

const profile = (slug: string, stack: ProfileContent['stack'] = []): ProfileContent => ({ ...emptyProfile(slug), stack });
const created = (content: ProfileContent): EventBody => ({ type: 'profile.created', data: { profile: content.slug, version: 1, content } });

const refusal = (fn: () => unknown): string => {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    if (isDomainError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
};

describe('decide with stacks', () => {
  const state = () =>
    given('team', [
      { type: 'registry.created', data: { slug: 'team' } },
      created(profile('a')),
      created(profile('b', [{ profile_slug: 'a' }])),
    ]);
  const context = (dependents: Record<string, string[]> = {}): DecideContext => ({
    lookupProfile: (r, slug) => (r === 'team' ? state()?.profiles.get(slug)?.content : undefined),
    dependentsOf: (_r, slug) => dependents[slug] ?? [],
  });

  it('refuses a converge whose target stacks form a cycle', () => {
    const target = { profiles: { a: profile('a', [{ profile_slug: 'b' }]), b: profile('b', [{ profile_slug: 'a' }]) } };
    expect(refusal(() => decide(state(), { type: 'converge_registry', registry: 'team', target, prune: true }, context()))).toBe(
      'validation: stack cycle detected: a -> b -> a',
    );
  });

  it('refuses a converge that prunes a profile another registry stacks on, not one its own registry does', () => {
    const target = { profiles: { b: profile('b') } };
    const command = { type: 'converge_registry' as const, registry: 'team', target, prune: true };
    expect(refusal(() => decide(state(), command, context({ a: ['team/b', 'other/c'] })))).toBe(
      'profile_in_use: profile "a" is stacked on by other/c',
    );
    expect(refusal(() => decide(state(), command, context({ a: ['team/b'] })))).toBe('accepted');
  });

  it('refuses to delete a registry whose profiles another registry stacks on', () => {
    expect(refusal(() => decide(state(), { type: 'delete_registry', registry: 'team' }, context({ a: ['other/c'] })))).toBe(
      'profile_in_use: profile "a" is stacked on by other/c',
    );
  });
});
