import type { FingerprintKey } from '../domain/fingerprint.js';
import type { AffectedByPosition, AffectedProfile } from '../events/change-feed.js';
import type { CommandChange } from '../events/command-bus.js';
import type { StoredEvent } from '../events/event-types.js';
import type { RegistryState } from '../events/registry-state.js';
import type { RunAhead } from '../events/run-ahead.js';
import { stackFingerprintOf, type FingerprintOf, type WrittenDocument } from './project-registry.js';
import type { ProjectionStore } from './projection-store.js';

/** The profile a default switch made the registry's default, as it stands after the command. */
const defaultSwitchedTo = (event: StoredEvent, state: RegistryState, fingerprintOf: FingerprintOf): AffectedProfile | undefined => {
  if (event.type !== 'registry.default_profile_changed' || event.data.profile === null || !state.live) return undefined;
  const profile = state.profiles.get(event.data.profile);
  if (!profile) return undefined;
  return { registry: state.slug, profile: event.data.profile, profile_version: profile.version, fingerprint: fingerprintOf(state, profile), default: true };
};

interface Caused extends AffectedProfile {
  /** The profile of the command's registry whose change caused this one. */
  cause: string;
}

/**
 * The fingerprint each profile row got when this process last wrote it (null: no row), by
 * `registry/slug`: a guess of the stored one, which a batch run ahead uses without waiting for the
 * read and has confirmed before it commits (another instance's write, or a rolled-back one, makes
 * it miss, and the batch runs again). Forgotten whole when it grows past `MAX_GUESSES`.
 */
export type FingerprintGuesses = Map<string, string | null>;
const MAX_GUESSES = 100_000;

const guessesFor = (guesses: FingerprintGuesses | undefined, registry: string, slugs: Iterable<string>) => {
  if (guesses === undefined) return undefined;
  const guessed = new Map<string, string | null>();
  for (const slug of slugs) {
    const guess = guesses.get(`${registry}/${slug}`);
    if (guess === undefined) return undefined;
    guessed.set(slug, guess);
  }
  return guessed;
};

const noteWritten = (guesses: FingerprintGuesses | undefined, registry: string, slug: string, fingerprint: string | null) => {
  if (guesses === undefined) return;
  if (guesses.size >= MAX_GUESSES) guesses.clear();
  guesses.set(`${registry}/${slug}`, fingerprint);
};

/**
 * Writes the documents a command touched, then rewrites every profile that stacks on a changed
 * one (transitively, across registries) whose fingerprint moved, and records per event which
 * fingerprints changed. Returns the documents written in the command's own registry and the
 * affected profiles by event position.
 */
export const projectCommandChange = async (
  projections: ProjectionStore,
  state: RegistryState,
  touched: Set<string>,
  change: CommandChange<'registry'>,
  key: FingerprintKey,
  ahead: { runAhead?: RunAhead; guesses?: FingerprintGuesses } = {},
): Promise<{ written: Map<string, WrittenDocument>; affected: AffectedByPosition }> => {
  const fingerprintOf = stackFingerprintOf(key, change.access.lookupProfile);
  // asked before the rows are written and awaited after: on PostgreSQL the writes go out with the read
  const asked = Promise.all([...touched].map(async (slug) => [slug, await projections.storedFingerprint(state.slug, slug)] as const));
  asked.catch(() => undefined);
  const guessed = ahead.runAhead ? guessesFor(ahead.guesses, state.slug, touched) : undefined;
  const written = await projections.writeProfileRows(state, touched, fingerprintOf);
  for (const slug of touched) noteWritten(ahead.guesses, state.slug, slug, written.get(slug)?.fingerprint ?? null);
  let before: Map<string, string | null>;
  if (guessed && ahead.runAhead) {
    before = guessed;
    ahead.runAhead.confirm(asked.then((stored) => stored.every(([slug, fingerprint]) => guessed.get(slug) === fingerprint)));
  } else before = new Map<string, string | null>(await asked);

  const caused: Caused[] = [];
  const versionOf = (slug: string): number | null => written.get(slug)?.version ?? state.tombstones.get(slug) ?? null;
  for (const slug of touched) {
    const fingerprint = written.get(slug)?.fingerprint ?? null;
    if (fingerprint !== before.get(slug)) {
      caused.push({ registry: state.slug, profile: slug, profile_version: versionOf(slug), fingerprint, cause: slug });
    }
  }
  const seen = new Set([...touched].map((slug) => `${state.slug}/${slug}`));
  for (let i = 0; i < caused.length; i++) {
    for (const dependent of await projections.stackDependents(caused[i].registry, caused[i].profile)) {
      const key = `${dependent.registry}/${dependent.profile}`;
      if (seen.has(key)) continue;
      seen.add(key);
      await change.access.loadReachable([dependent.registry]);
      const dependentState = change.access.loaded(dependent.registry);
      const profile = dependentState?.live ? dependentState.profiles.get(dependent.profile) : undefined;
      if (!dependentState || !profile) continue;
      const fingerprint = fingerprintOf(dependentState, profile);
      if (fingerprint === (await projections.storedFingerprint(dependent.registry, dependent.profile))) continue;
      await projections.writeProfileRows(dependentState, [dependent.profile], fingerprintOf);
      noteWritten(ahead.guesses, dependent.registry, dependent.profile, fingerprint);
      caused.push({ ...dependent, profile_version: profile.version, fingerprint, cause: caused[i].cause });
    }
  }

  const affected = new Map<number, AffectedProfile[]>();
  const assigned = new Set<Caused>();
  change.events.forEach((event, index) => {
    const slugs = change.touchedByEvent[index];
    const mine = caused.filter((entry) => !assigned.has(entry) && slugs.includes(entry.cause));
    for (const entry of mine) assigned.add(entry);
    const listed: AffectedProfile[] = mine.map(({ registry, profile, profile_version, fingerprint }) => ({ registry, profile, profile_version, fingerprint }));
    // what resolves through the registry's default changed, though no document's fingerprint did
    const switched = defaultSwitchedTo(event, state, fingerprintOf);
    if (switched !== undefined) listed.push(switched);
    if (listed.length > 0) affected.set(event.position, listed);
  });
  const hashes = new Map(change.events.map((event) => [event.position, event.hash]));
  await projections.writeAffected(affected, (position) => hashes.get(position) ?? '');
  return { written, affected };
};
