import type { Operation } from 'fast-json-patch';
import { DomainError, profileNotFound } from '../domain/errors.js';
import { runtimeFingerprint, type FingerprintKey } from '../domain/fingerprint.js';
import type { ProfileContent } from '../domain/profile.js';
import type { StoredEvent } from '../events/event-types.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { changesBetween, profileContentView } from './content-view.js';

/** One version of a profile: the event that made it and the content it left (none after a delete). */
export interface ProfileVersion {
  version: number;
  event: StoredEvent;
  content?: ProfileContent;
}

export interface ProfileHistoryEntry {
  version: number;
  type: string;
  actor: string;
  source: string;
  at_ms: number;
  fingerprint: string | null;
  changes: Operation[];
}

/** Every version of a profile, oldest first, from its events. */
export const readProfileVersions = async (executor: SqlExecutor, registry: string, slug: string): Promise<ProfileVersion[]> =>
  (await executor.events.readProfileEvents(registry, slug)).map((event) => {
    const data = event.data as { version: number; content?: ProfileContent };
    return { version: data.version, event, content: data.content };
  });

export const profileVersionNotFound = (version: number): DomainError =>
  new DomainError('not_found', `profile version ${version} not found`);

/** The version asked for, or 404 when the profile never had it. */
export const findProfileVersion = (versions: ProfileVersion[], version: number): ProfileVersion => {
  const found = versions.find((candidate) => candidate.version === version);
  if (!found) throw profileVersionNotFound(version);
  return found;
};

/** Newest first, each with its RFC 6902 `changes` from the version before it. */
export const profileHistory = (
  key: FingerprintKey,
  registry: string,
  slug: string,
  versions: ProfileVersion[],
  options: { limit?: number; beforeVersion?: number } = {},
): ProfileHistoryEntry[] => {
  if (versions.length === 0) throw profileNotFound();
  const entries: ProfileHistoryEntry[] = [];
  let previous = profileContentView(registry, undefined);
  for (const { version, event, content } of versions) {
    const view = profileContentView(registry, content);
    entries.push({
      version,
      type: event.type,
      actor: event.metadata.actor,
      source: event.metadata.source,
      at_ms: event.metadata.occurred_at_ms,
      fingerprint: content ? runtimeFingerprint(key, registry, slug, content.runtime) : null,
      changes: changesBetween(previous, view),
    });
    previous = view;
  }
  const before = options.beforeVersion;
  const newestFirst = entries.reverse().filter((entry) => before === undefined || entry.version < before);
  return newestFirst.slice(0, options.limit ?? newestFirst.length);
};
