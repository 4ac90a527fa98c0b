import type { Operation } from 'fast-json-patch';
import { profileNotFound, registryNotFound, validationError } from '../domain/errors.js';
import type { CommandContext } from '../events/command-bus.js';
import type { Command } from '../events/commands.js';
import type { EventCause } from '../events/event-types.js';
import { changesBetween, profileContentView, registryContentView } from '../projections/content-view.js';
import { findProfileVersion, profileHasHistory, readProfileVersionsAt } from '../projections/profile-history.js';
import type { WriteResult } from './write-result.js';
import type { RegistryStore } from './registry-store.js';
import { requirePastVersion, registryStateAtVersion, type PastPoint } from '../projections/time-travel.js';

export interface RestoreOptions {
  dryRun: boolean;
  expectedVersion?: number;
  context: CommandContext;
}

/**
 * A restore is a command like any other: the command bus judges it against the current state
 * (the same judge as every write: stacks across registries, dependents, schemas), appends it as
 * new events attributed to whoever asked, and records in their metadata that they are a restore
 * and to which point. A dry run asks the same judge and writes nothing. Only the target (the past
 * state) is read here, from the events.
 */
type RestoreStore = Pick<RegistryStore, 'db' | 'execute' | 'judge'>;

const restoring = (context: CommandContext, cause: EventCause): CommandContext => ({ ...context, cause });

export type ProfileRestoreResult = { dryRun: true; changes: Operation[] } | { dryRun: false; document: WriteResult['document'] };

export const restoreProfile = async (
  store: RestoreStore,
  registry: string,
  slug: string,
  toVersion: number,
  options: RestoreOptions,
): Promise<ProfileRestoreResult> => {
  const versions = await readProfileVersionsAt(store.db, registry, slug, [toVersion]);
  if (versions.length === 0 && !(await profileHasHistory(store.db, registry, slug))) throw (await registryStateAtVersion(store.db, registry, (await store.db.events.streamHead(registry)).version))?.live ? profileNotFound() : registryNotFound();
  const target = findProfileVersion(versions, toVersion);
  if (!target.content) throw validationError('to_version', `version ${toVersion} is a deletion`);
  const command: Command = { type: 'put_profile', registry, slug, content: target.content, expected_version: options.expectedVersion };
  const context = restoring(options.context, { type: 'restore', to_version: toVersion });
  if (options.dryRun) {
    const { before } = await store.judge(command, context);
    const current = before?.live ? before.profiles.get(slug)?.content : undefined;
    return { dryRun: true, changes: changesBetween(profileContentView(registry, current), profileContentView(registry, target.content)) };
  }
  const { rendered } = await store.execute(command, context);
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
  const toVersion = await requirePastVersion(store.db, registry, point);
  const target = await registryStateAtVersion(store.db, registry, toVersion);
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
  const context = restoring(options.context, { type: 'restore', to_version: toVersion, ...('atMs' in point ? { as_of_ms: point.atMs } : {}) });
  const { before } = await store.judge(command, context);
  const changes = changesBetween(registryContentView(before), registryContentView(target));
  if (options.dryRun) return { version: before?.version ?? 0, changes };
  const { rendered } = await store.execute(command, context);
  return { version: rendered.registryVersion, changes };
};
