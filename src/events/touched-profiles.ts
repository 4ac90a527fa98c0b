import type { EventBody } from './event-types.js';
import type { RegistryState } from './registry-state.js';

/** The profiles whose documents an event changes (a new default flips `is_default` of two). */
export const touchedProfiles = (before: RegistryState | undefined, event: EventBody): string[] => {
  switch (event.type) {
    case 'profile.created':
    case 'profile.updated':
    case 'profile.deleted':
    case 'profile.published':
      return [event.data.profile];
    case 'registry.default_profile_changed': {
      const slugs = before?.default_profile_slug === undefined ? [] : [before.default_profile_slug];
      if (event.data.profile !== null) slugs.push(event.data.profile);
      return slugs;
    }
    case 'registry.deleted':
      return before ? [...before.profiles.keys()] : [];
    case 'registry.created':
    case 'registry.updated':
    case 'schema.registered':
    case 'schema.deleted':
      return [];
  }
};
