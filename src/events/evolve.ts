import type { DomainEvent } from './event-types.js';
import { applySchemaPolicies, type ChangeStamp, type ProfileState, type RegistryState } from './registry-state.js';

const touch = (stamp: ChangeStamp, event: DomainEvent): ChangeStamp => ({
  ...stamp,
  updated_at_ms: event.metadata.occurred_at_ms,
  updated_by: event.metadata.actor,
  source: event.metadata.source,
});

const freshStamp = (event: DomainEvent): ChangeStamp => ({
  created_at_ms: event.metadata.occurred_at_ms,
  updated_at_ms: event.metadata.occurred_at_ms,
  created_by: event.metadata.actor,
  updated_by: event.metadata.actor,
  source: event.metadata.source,
});

const emptyRegistry = (slug: string, event: DomainEvent): RegistryState => ({
  slug,
  live: false,
  version: 0,
  stamp: freshStamp(event),
  profiles: new Map(),
  tombstones: new Map(),
});

/**
 * Applies one event to a registry's state. For speed it changes `state` in place and returns it
 * (registries can hold thousands of profiles); callers that need the old state keep a copy.
 */
export const evolve = (state: RegistryState | undefined, event: DomainEvent, streamId?: string): RegistryState => {
  const slug = state?.slug ?? streamId ?? (event.type === 'registry.created' ? event.data.slug : '');
  const registry = state ?? emptyRegistry(slug, event);
  registry.version += 1;
  switch (event.type) {
    case 'registry.created': {
      registry.live = true;
      registry.stamp = freshStamp(event);
      registry.display_name = event.data.display_name;
      registry.description = event.data.description;
      registry.default_profile_slug = undefined;
      if (registry.display_name === undefined) delete registry.display_name;
      if (registry.description === undefined) delete registry.description;
      delete registry.default_profile_slug;
      delete registry.unknown_middlewares;
      delete registry.unknown_extensions;
      applySchemaPolicies(registry, event.data);
      return registry;
    }
    case 'registry.updated': {
      if (event.data.display_name !== undefined) registry.display_name = event.data.display_name ?? undefined;
      if (event.data.description !== undefined) registry.description = event.data.description ?? undefined;
      if (registry.display_name === undefined) delete registry.display_name;
      if (registry.description === undefined) delete registry.description;
      applySchemaPolicies(registry, event.data);
      break;
    }
    case 'registry.deleted': {
      for (const [profileSlug, profile] of registry.profiles) registry.tombstones.set(profileSlug, profile.version);
      registry.profiles.clear();
      registry.live = false;
      delete registry.default_profile_slug;
      break;
    }
    case 'registry.default_profile_changed': {
      if (event.data.profile === null) delete registry.default_profile_slug;
      else registry.default_profile_slug = event.data.profile;
      break;
    }
    case 'profile.created': {
      registry.tombstones.delete(event.data.profile);
      registry.profiles.set(event.data.profile, {
        content: event.data.content,
        version: event.data.version,
        stamp: freshStamp(event),
      });
      break;
    }
    case 'profile.updated': {
      const previous = registry.profiles.get(event.data.profile);
      const next: ProfileState = {
        content: event.data.content,
        version: event.data.version,
        stamp: previous ? touch(previous.stamp, event) : freshStamp(event),
      };
      // the last signature stays, stale, until the profile is published again
      if (previous?.signature) next.signature = previous.signature;
      registry.profiles.set(event.data.profile, next);
      break;
    }
    case 'profile.published': {
      const profile = registry.profiles.get(event.data.profile);
      const { profile: _slug, ...signature } = event.data;
      // a new object: states handed out before (snapshots, caches) keep what they had
      if (profile) registry.profiles.set(event.data.profile, { ...profile, signature });
      break;
    }
    case 'profile.deleted': {
      registry.profiles.delete(event.data.profile);
      registry.tombstones.set(event.data.profile, event.data.version);
      break;
    }
  }
  registry.stamp = touch(registry.stamp, event);
  return registry;
};

export const foldEvents = (events: Iterable<DomainEvent>, streamId?: string): RegistryState | undefined => {
  let state: RegistryState | undefined;
  for (const event of events) state = evolve(state, event, streamId);
  return state;
};
