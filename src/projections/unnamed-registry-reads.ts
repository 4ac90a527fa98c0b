import { isDomainError, profileNotFound, profileVersionNotFound } from '../domain/errors.js';
import { DEFAULT_REGISTRY } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { pastProfileDocument, type PastDocument } from './past-documents.js';

import { registriesHoldingProfile } from './read-model.js';
import type { PastPoint } from './time-travel.js';

/**
 * Profile reads that name no registry (API.md, Profiles): they answer from the default registry
 * when it holds the profile, else from the first registry in slug order that does.
 */

const defaultFirst = (registries: string[]): string[] =>
  [...registries].sort((a, b) => (a === DEFAULT_REGISTRY ? -1 : b === DEFAULT_REGISTRY ? 1 : a < b ? -1 : a > b ? 1 : 0));

/** The registry a current read answers from; undefined when no live registry holds the profile. */
export const registryOfLiveProfile = async (
  db: SqlExecutor,
  slug: string,
  visible: (registry: string) => boolean = () => true,
): Promise<string | undefined> => (await registriesHoldingProfile(db, slug)).find(visible);

/**
 * The registry whose history and diffs a request without `registry` reads: the one a current read
 * answers from; for a profile that no live registry holds (deleted), the first, in the same
 * order, whose events ever held it.
 */
export const registryOfProfileHistory = async (
  db: SqlExecutor,
  slug: string,
  visible: (registry: string) => boolean = () => true,
): Promise<string | undefined> =>
  (await registryOfLiveProfile(db, slug, visible)) ?? defaultFirst(await db.events.streamsNamingProfile(slug)).find(visible);

/** A past read (`?version=` / `?as_of=`): the first registry, in the same order, that held the profile at that point. */
export const pastProfileDocumentOfAnyRegistry = async (
  db: SqlExecutor,
  slug: string,
  point: PastPoint,
  visible: (registry: string) => boolean = () => true,
): Promise<PastDocument & { registry: string }> => {
  const candidates = defaultFirst(await db.events.streamsNamingProfile(slug)).filter(visible);
  for (const registry of candidates) {
    try {
      return { ...(await pastProfileDocument(db, registry, slug, point)), registry };
    } catch (error) {
      if (!isDomainError(error) || error.code !== 'not_found') throw error;
    }
  }
  throw candidates.length > 0 && 'version' in point ? profileVersionNotFound(point.version) : profileNotFound();
};
