import type { Operation } from 'fast-json-patch';
import { profileNotFound, profileVersionNotFound } from '../domain/errors.js';
import { effectiveFingerprint } from '../domain/effective-runtime.js';
import type { FingerprintKey } from '../domain/fingerprint.js';
import type { ProfileContent } from '../domain/profile.js';
import type { ProfileEventsOptions } from '../events/event-store.js';
import type { EventCause, StoredEvent } from '../events/event-types.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { changesBetween, eventContentView } from './content-view.js';

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
  /** Present when the version came from a restore or an import. */
  cause?: EventCause;
  fingerprint: string | null;
  changes: Operation[];
}

const versionOf = (event: StoredEvent): ProfileVersion => {
  const data = event.data as { version: number; content?: ProfileContent };
  return { version: data.version, event, content: data.content };
};

/** Every version of a profile (or, with options, the last ones before a version), oldest first, from its events. */
export const readProfileVersions = async (
  executor: SqlExecutor,
  registry: string,
  slug: string,
  options?: ProfileEventsOptions,
): Promise<ProfileVersion[]> => (await executor.events.readProfileEvents(registry, slug, options)).map(versionOf);

/** Whether the profile ever had a version in the registry (one lookup in the profile index). */
export const profileHasHistory = async (executor: SqlExecutor, registry: string, slug: string): Promise<boolean> =>
  (await executor.events.readProfileEvents(registry, slug, { last: 1 })).length > 0;

/** These versions of a profile, those it never had left out (a lookup in the profile index each). */
export const readProfileVersionsAt = async (executor: SqlExecutor, registry: string, slug: string, versions: readonly number[]): Promise<ProfileVersion[]> =>
  (await executor.events.readProfileEventsAt(registry, [...new Set(versions)].map((version) => [slug, version] as const)))
    .map(versionOf)
    .sort((a, b) => a.version - b.version);

/**
 * What a history page needs: its `limit` versions before `beforeVersion` and the version before
 * the oldest of them (its `changes` are from that one), whatever the length of the history.
 */
export const readProfileHistoryPage = (
  executor: SqlExecutor,
  registry: string,
  slug: string,
  options: { limit: number; beforeVersion?: number },
): Promise<ProfileVersion[]> => readProfileVersions(executor, registry, slug, { beforeVersion: options.beforeVersion, last: options.limit + 1 });


/** The version asked for, or 404 when the profile never had it. */
export const findProfileVersion = (versions: ProfileVersion[], version: number): ProfileVersion => {
  const found = versions.find((candidate) => candidate.version === version);
  if (!found) throw profileVersionNotFound(version);
  return found;
};

/**
 * Whether an unstacked version's runtime is that of the unstacked version before it, told by the
 * changes between them: its fingerprint (of the registry, the slug and the runtime) is then the same.
 */
const keepsFingerprint = (before: ProfileContent | undefined, content: ProfileContent, changes: Operation[]): boolean =>
  before !== undefined &&
  before.stack.length === 0 &&
  content.stack.length === 0 &&
  !changes.some(({ path }) => path === '/slug' || path === '/runtime' || path.startsWith('/runtime/'));

/**
 * Newest first, each with its RFC 6902 `changes` from the version before it. `versions` may be a
 * page read by readProfileHistoryPage: the oldest of them then only serves as the one before.
 */
export const profileHistory = (
  key: FingerprintKey,
  registry: string,
  slug: string,
  versions: ProfileVersion[],
  options: { limit?: number; beforeVersion?: number } = {},
): ProfileHistoryEntry[] => {
  if (versions.length === 0) throw profileNotFound();
  const entries: ProfileHistoryEntry[] = [];
  let previous = eventContentView(registry, undefined);
  let previousContent: ProfileContent | undefined;
  let previousFingerprint: string | null = null;
  for (const { version, event, content } of versions) {
    const view = eventContentView(registry, content);
    const changes = changesBetween(previous, view);
    // a stacked version's fingerprint needs its bases as they were then: effective-history.ts sets it
    const fingerprint: string | null = !content
      ? null
      : keepsFingerprint(previousContent, content, changes)
        ? previousFingerprint
        : effectiveFingerprint(key, registry, content, () => undefined);
    entries.push({
      version,
      type: event.type,
      actor: event.metadata.actor,
      source: event.metadata.source,
      at_ms: event.metadata.occurred_at_ms,
      ...(event.metadata.cause === undefined ? {} : { cause: event.metadata.cause }),
      fingerprint,
      changes,
    });
    previous = view;
    previousContent = content;
    previousFingerprint = fingerprint;
  }
  const before = options.beforeVersion;
  const newestFirst = entries.reverse().filter((entry) => before === undefined || entry.version < before);
  return newestFirst.slice(0, options.limit ?? newestFirst.length);
};
