import { describe, expect, it } from 'vitest';
import { foldEvents } from '../../src/events/evolve.js';
import type { DomainEvent } from '../../src/events/event-types.js';
import { deserializeRegistryState, serializeRegistryState } from '../../src/projections/registry-snapshots.js';
import { gooseRoles } from '../support/goose-roles.js';
import { newProfileContent, type ProfileFieldsInput } from '../../src/domain/profile.js';

const metadata = (at: number) => ({ actor: 'tester', source: 'test', request_id: 'r', occurred_at_ms: at });

/** The goose registry as its events leave it: 8 role profiles, one of them deleted. */
const gooseState = () => {
  const roles = gooseRoles();
  const events = [
    { type: 'registry.created', schema_version: 1, data: { slug: 'goose' }, metadata: metadata(1) },
    ...roles.map((role, index) => ({
      type: 'profile.created',
      schema_version: 1,
      data: { profile: role.slug, version: 1, content: newProfileContent(role.slug, role as ProfileFieldsInput) },
      metadata: metadata(10 + index),
    })),
    { type: 'profile.deleted', schema_version: 1, data: { profile: roles[0]!.slug, version: 2 }, metadata: metadata(99) },
  ] as DomainEvent[];
  return foldEvents(events, 'goose')!;
};

describe('registry snapshots', () => {
  it('read back the state they were written from', () => {
    const state = gooseState();
    expect(state.profiles.size).toBe(7);
    expect(deserializeRegistryState(serializeRegistryState(state))).toEqual(state);
  });

  it('still read snapshots written in the earlier form (profiles as their whole state)', () => {
    const state = gooseState();
    const earlierForm = JSON.stringify({ ...state, profiles: [...state.profiles], tombstones: [...state.tombstones] });
    expect(deserializeRegistryState(earlierForm)).toEqual(state);
  });
});
