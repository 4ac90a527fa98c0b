import type { Command } from './commands.js';
import type { RegistryState } from './registry-state.js';

/**
 * What `decide` reads besides the state of the command's own registry: the command bus loads
 * exactly this before deciding, so a new command declares here what it needs and the bus stays
 * as it is.
 */
export interface CommandNeeds {
  /** Other registries whose profiles the decision looks up (the bus also loads those they stack on). */
  registries: string[];
  /** Profiles of the command's registry that it may delete: who stacks on them is read before deciding. */
  dependentsOf: string[];
  /** Whether the registered schemas judge the content the command writes. */
  schemas: boolean;
}

/** The registries a command's own stack refs name. */
const stackRegistries = (command: Command): string[] => {
  const refs =
    command.type === 'create_profile' || command.type === 'update_profile'
      ? (command.fields.stack ?? [])
      : command.type === 'put_profile'
        ? command.content.stack
        : command.type === 'converge_registry'
          ? Object.values(command.target.profiles).flatMap((profile) => profile.stack)
          : [];
  return refs.flatMap((ref) => (ref.registry_slug === undefined ? [] : [ref.registry_slug.trim().toLowerCase()]));
};

/** The profiles a command may delete. */
const profilesItMayDelete = (state: RegistryState | undefined, command: Command): string[] => {
  if (!state?.live) return [];
  if (command.type === 'delete_profile') return [command.slug];
  if (command.type === 'delete_registry') return [...state.profiles.keys()];
  if (command.type === 'converge_registry' && command.prune) {
    return [...state.profiles.keys()].filter((slug) => !Object.hasOwn(command.target.profiles, slug));
  }
  return [];
};

/** Commands whose events may carry new profile content (judged against the registered schemas). */
const WRITES_CONTENT = new Set<Command['type']>(['create_profile', 'update_profile', 'put_profile', 'converge_registry']);

/** What `command` needs loaded before `decide` judges it against `state` (its registry's current state). */
export const needs = (command: Command, state: RegistryState | undefined): CommandNeeds => ({
  registries: stackRegistries(command),
  dependentsOf: profilesItMayDelete(state, command),
  schemas: WRITES_CONTENT.has(command.type),
});
