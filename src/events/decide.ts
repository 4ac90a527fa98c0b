import {
  DomainError,
  profileNotFound,
  profileVersionConflict,
  readOnlyProfile,
  registryNotFound,
  registryVersionConflict,
} from '../domain/errors.js';
import { applyProfileFields, newProfileContent, type ProfileContent } from '../domain/profile.js';
import { sameContent } from '../domain/canonical-json.js';
import type { Command } from './commands.js';
import { decideConverge } from './decide-converge.js';
import type { EventBody } from './event-types.js';
import { DEFAULT_REGISTRY, profileVersionAfter, type ProfileState, type RegistryState } from './registry-state.js';

const hasExpectation = (expected: number | undefined): expected is number => expected !== undefined && expected > 0;

const liveRegistry = (state: RegistryState | undefined): RegistryState => {
  if (!state?.live) throw registryNotFound();
  return state;
};

const existingProfile = (registry: RegistryState, slug: string): ProfileState => {
  const profile = registry.profiles.get(slug);
  if (!profile) throw profileNotFound();
  return profile;
};

const checkProfileVersion = (slug: string, profile: ProfileState, expected: number | undefined): void => {
  if (hasExpectation(expected) && expected !== profile.version) {
    throw profileVersionConflict(slug, expected, profile.version);
  }
};

const checkRegistryVersion = (registry: RegistryState, expected: number | undefined): void => {
  if (hasExpectation(expected) && expected !== registry.version) {
    throw registryVersionConflict(registry.slug, expected, registry.version);
  }
};

const checkWritable = (slug: string, profile: ProfileState): void => {
  if (profile.content.policy.read_only) throw readOnlyProfile(slug);
};

const defaultChange = (registry: RegistryState, slug: string): EventBody[] =>
  registry.default_profile_slug === slug ? [] : [{ type: 'registry.default_profile_changed', data: { profile: slug } }];

const decideCreateProfile = (
  registry: RegistryState,
  slug: string,
  content: ProfileContent,
  setDefault: boolean,
): EventBody[] => {
  if (registry.profiles.has(slug)) throw new DomainError('already_exists', `profile "${slug}" already exists`);
  const events: EventBody[] = [
    { type: 'profile.created', data: { profile: slug, version: profileVersionAfter(registry, slug) + 1, content } },
  ];
  if (setDefault || registry.default_profile_slug === undefined) events.push(...defaultChange(registry, slug));
  return events;
};

/**
 * The write side's only judge: from a registry's state and a command, the events that happen,
 * or a DomainError. Pure: no I/O, no clock (timestamps are stamped on the events by the caller).
 */
export const decide = (state: RegistryState | undefined, command: Command): EventBody[] => {
  switch (command.type) {
    case 'create_registry': {
      if (state?.live) throw new DomainError('already_exists', `registry "${command.registry}" already exists`);
      const data: { slug: string; display_name?: string; description?: string } = { slug: command.registry };
      if (command.display_name) data.display_name = command.display_name;
      if (command.description) data.description = command.description;
      return [{ type: 'registry.created', data }];
    }
    case 'update_registry': {
      const registry = liveRegistry(state);
      checkRegistryVersion(registry, command.expected_version);
      const events: EventBody[] = [];
      const data: { display_name?: string | null; description?: string | null } = {};
      if (command.display_name !== undefined && (command.display_name || undefined) !== registry.display_name) {
        data.display_name = command.display_name || null;
      }
      if (command.description !== undefined && (command.description || undefined) !== registry.description) {
        data.description = command.description || null;
      }
      if (Object.keys(data).length > 0) events.push({ type: 'registry.updated', data });
      if (command.default_profile_slug !== undefined && command.default_profile_slug !== null) {
        existingProfile(registry, command.default_profile_slug);
        events.push(...defaultChange(registry, command.default_profile_slug));
      } else if (command.default_profile_slug === null && registry.default_profile_slug !== undefined) {
        if (registry.profiles.size > 0) {
          throw new DomainError('default_profile_in_use', 'a registry with profiles must keep a default profile');
        }
      }
      return events;
    }
    case 'delete_registry': {
      const registry = liveRegistry(state);
      if (registry.slug === DEFAULT_REGISTRY) {
        throw new DomainError('default_profile_in_use', 'the default registry cannot be deleted');
      }
      checkRegistryVersion(registry, command.expected_version);
      return [{ type: 'registry.deleted', data: {} }];
    }
    case 'create_profile': {
      const registry = liveRegistry(state);
      const content = newProfileContent(command.slug, command.fields);
      return decideCreateProfile(registry, command.slug, content, command.set_default === true);
    }
    case 'update_profile': {
      const registry = liveRegistry(state);
      const profile = existingProfile(registry, command.slug);
      checkProfileVersion(command.slug, profile, command.expected_version);
      checkWritable(command.slug, profile);
      const content = applyProfileFields(profile.content, command.fields);
      const events: EventBody[] = [];
      if (!sameContent(content, profile.content)) {
        events.push({ type: 'profile.updated', data: { profile: command.slug, version: profile.version + 1, content } });
      }
      if (command.set_default === true) events.push(...defaultChange(registry, command.slug));
      return events;
    }
    case 'delete_profile': {
      const registry = liveRegistry(state);
      const profile = existingProfile(registry, command.slug);
      checkProfileVersion(command.slug, profile, command.expected_version);
      checkWritable(command.slug, profile);
      const isDefault = registry.default_profile_slug === command.slug;
      if (isDefault && registry.profiles.size > 1) {
        throw new DomainError(
          'default_profile_in_use',
          `cannot delete default profile "${command.slug}" while other profiles remain; set another default first`,
        );
      }
      const events: EventBody[] = [
        { type: 'profile.deleted', data: { profile: command.slug, version: profile.version + 1 } },
      ];
      if (isDefault) events.push({ type: 'registry.default_profile_changed', data: { profile: null } });
      return events;
    }
    case 'set_default_profile': {
      const registry = liveRegistry(state);
      checkRegistryVersion(registry, command.expected_version);
      existingProfile(registry, command.slug);
      return defaultChange(registry, command.slug);
    }
    case 'put_profile': {
      const registry = liveRegistry(state);
      const profile = registry.profiles.get(command.slug);
      if (!profile) {
        if (hasExpectation(command.expected_version)) {
          const actual = profileVersionAfter(registry, command.slug);
          if (command.expected_version !== actual) throw profileVersionConflict(command.slug, command.expected_version, actual);
        }
        return decideCreateProfile(registry, command.slug, command.content, false);
      }
      checkProfileVersion(command.slug, profile, command.expected_version);
      checkWritable(command.slug, profile);
      if (sameContent(command.content, profile.content)) return [];
      return [
        { type: 'profile.updated', data: { profile: command.slug, version: profile.version + 1, content: command.content } },
      ];
    }
    case 'converge_registry': {
      if (state?.live) checkRegistryVersion(state, command.expected_version);
      return decideConverge(state, command.registry, command.target, command.prune);
    }
  }
};
