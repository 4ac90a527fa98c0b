import type { Operation } from 'fast-json-patch';
import { profileNotFound, registryNotFound, validationError } from '../domain/errors.js';
import type { CommandContext } from '../events/command-bus.js';
import type { Command } from '../events/commands.js';
import { decide, localDecideContext } from '../events/decide.js';
import { schemaLookupOf } from '../events/schema-state.js';
import type { RegistryState } from '../events/registry-state.js';
import { changesBetween, profileContentView, registryContentView } from './content-view.js';
import { loadRegistryState } from './load-registry-state.js';
import { findProfileVersion, profileHasHistory, readProfileVersionsAt } from './profile-history.js';
import type { WriteResult } from './projector.js';
import type { RegistryStore } from './registry-store.js';
import { readSchemaState } from './schema-reads.js';
import { requirePastVersion, registryStateAtVersion, type PastPoint } from './time-travel.js';

export interface RestoreOptions {
  dryRun: boolean;
  expectedVersion?: number;
  context: CommandContext;
}

/**
 * A restore is a command like any other: it is judged against the current state, appended as new
 * events and attributed to whoever asked. A dry run asks the same judge (so it refuses what the
 * real restore would) and writes nothing.
 */
/** What a restore needs of the store: reads, and (unless a dry run) the command bus. */
type RestoreStore = Pick<RegistryStore, 'db' | 'execute'>;

const judge = async (store: RestoreStore, command: Command): Promise<RegistryState | undefined> => {
  const current = await loadRegistryState(store.db, command.registry);
  decide(current, command, { ...localDecideContext(current), schemas: schemaLookupOf(await readSchemaState(store.db)) });
  return current;
};

export type ProfileRestoreResult = { dryRun: true; changes: Operation[] } | { dryRun: false; document: WriteResult['document'] };

export const restoreProfile = async (
  store: RestoreStore,
  registry: string,
  slug: string,
  toVersion: number,
  options: RestoreOptions,
): Promise<ProfileRestoreResult> => {
  const versions = await readProfileVersionsAt(store.db, registry, slug, [toVersion]);
  if (versions.length === 0 && !(await profileHasHistory(store.db, registry, slug))) throw (await loadRegistryState(store.db, registry))?.live ? profileNotFound() : registryNotFound();
  const target = findProfileVersion(versions, toVersion);
  if (!target.content) throw validationError('to_version', `version ${toVersion} is a deletion`);
  const command: Command = { type: 'put_profile', registry, slug, content: target.content, expected_version: options.expectedVersion };
  if (options.dryRun) {
    const current = await judge(store, command);
    const before = profileContentView(registry, current?.profiles.get(slug)?.content);
    return { dryRun: true, changes: changesBetween(before, profileContentView(registry, target.content)) };
  }
  const { rendered } = await store.execute(command, options.context);
  return { dryRun: false, document: rendered.document };
};

export interface RegistryRestoreResult {
  version: number;
  changes: Operation[];
}

/** The whole registry back to a past point, pruning what came later, in one transaction. */
export const restoreRegistry = async (
  store: RestoreStore,
  registry: string,
  point: PastPoint,
  options: RestoreOptions,
): Promise<RegistryRestoreResult> => {
  const target = await registryStateAtVersion(store.db, registry, await requirePastVersion(store.db, registry, point));
  if (!target?.live) throw registryNotFound();
  const command: Command = {
    type: 'converge_registry',
    registry,
    prune: true,
    expected_version: options.expectedVersion,
    target: {
      display_name: target.display_name,
      description: target.description,
      default_profile_slug: target.default_profile_slug,
      unknown_middlewares: target.unknown_middlewares ?? 'allow',
      unknown_extensions: target.unknown_extensions ?? 'allow',
      profiles: Object.fromEntries([...target.profiles].map(([slug, profile]) => [slug, profile.content])),
    },
  };
  const current = await judge(store, command);
  const changes = changesBetween(registryContentView(current), registryContentView(target));
  if (options.dryRun) return { version: current?.version ?? 0, changes };
  const { rendered } = await store.execute(command, options.context);
  return { version: rendered.registryVersion, changes };
};
