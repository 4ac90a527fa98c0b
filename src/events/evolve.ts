import type { DomainEvent } from './event-types.js';
import { applySchemaPolicies, type ChangeStamp, type ProfileState, type RegistryState, type Writable } from './registry-state.js';

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

/** A registry's state while a fold owns it: its own maps, changed in place until the fold hands it out. */
type Draft = Writable<RegistryState> & {
  profiles: Map<string, ProfileState>;
  tombstones: Map<string, number>;
};

const emptyDraft = (slug: string, event: DomainEvent): Draft => ({
  slug,
  live: false,
  version: 0,
  stamp: freshStamp(event),
  profiles: new Map(),
  tombstones: new Map(),
});

/** A copy of a map (forEach + set: several times faster than `new Map(map)` on V8). */
const copyOf = <V>(map: ReadonlyMap<string, V>): Map<string, V> => {
  const copy = new Map<string, V>();
  map.forEach((value, key) => copy.set(key, value));
  return copy;
};

/**
 * A private copy of `state`. Its maps are copied only when an event first changes them (`own`);
 * until then the draft holds the state's own maps and only reads them. Profiles and their content
 * are shared: nothing changes them.
 */
const draftOf = (state: RegistryState): Draft => ({ ...state }) as Draft;

interface Owned {
  profiles: boolean;
  tombstones: boolean;
}

const applyEvent = (draft: Draft, event: DomainEvent, owned: Owned): void => {
  const profiles = (): Map<string, ProfileState> => {
    if (!owned.profiles) {
      draft.profiles = copyOf(draft.profiles);
      owned.profiles = true;
    }
    return draft.profiles;
  };
  const tombstones = (): Map<string, number> => {
    if (!owned.tombstones) {
      draft.tombstones = copyOf(draft.tombstones);
      owned.tombstones = true;
    }
    return draft.tombstones;
  };
  draft.version += 1;
  switch (event.type) {
    case 'registry.created': {
      draft.live = true;
      draft.stamp = freshStamp(event);
      draft.display_name = event.data.display_name;
      draft.description = event.data.description;
      if (draft.display_name === undefined) delete draft.display_name;
      if (draft.description === undefined) delete draft.description;
      delete draft.default_profile_slug;
      delete draft.unknown_middlewares;
      delete draft.unknown_extensions;
      applySchemaPolicies(draft, event.data);
      return;
    }
    case 'registry.updated': {
      if (event.data.display_name !== undefined) draft.display_name = event.data.display_name ?? undefined;
      if (event.data.description !== undefined) draft.description = event.data.description ?? undefined;
      if (draft.display_name === undefined) delete draft.display_name;
      if (draft.description === undefined) delete draft.description;
      applySchemaPolicies(draft, event.data);
      break;
    }
    case 'registry.deleted': {
      for (const [profileSlug, profile] of draft.profiles) tombstones().set(profileSlug, profile.version);
      draft.profiles = new Map();
      owned.profiles = true;
      draft.live = false;
      delete draft.default_profile_slug;
      break;
    }
    case 'registry.default_profile_changed': {
      if (event.data.profile === null) delete draft.default_profile_slug;
      else draft.default_profile_slug = event.data.profile;
      break;
    }
    case 'profile.created': {
      if (draft.tombstones.has(event.data.profile)) tombstones().delete(event.data.profile);
      profiles().set(event.data.profile, {
        content: event.data.content,
        version: event.data.version,
        stamp: freshStamp(event),
      });
      break;
    }
    case 'profile.updated': {
      const previous = draft.profiles.get(event.data.profile);
      const next: ProfileState = {
        content: event.data.content,
        version: event.data.version,
        stamp: previous ? touch(previous.stamp, event) : freshStamp(event),
        // the last signature stays, stale, until the profile is published again
        ...(previous?.signature ? { signature: previous.signature } : {}),
      };
      profiles().set(event.data.profile, next);
      break;
    }
    case 'profile.published': {
      const profile = draft.profiles.get(event.data.profile);
      const { profile: _slug, ...signature } = event.data;
      if (profile) profiles().set(event.data.profile, { ...profile, signature });
      break;
    }
    case 'profile.deleted': {
      profiles().delete(event.data.profile);
      tombstones().set(event.data.profile, event.data.version);
      break;
    }
  }
  draft.stamp = touch(draft.stamp, event);
};

/**
 * A fold of events over a state that it never changes: the first event copies the state (its
 * maps; profiles and their content are shared, nothing changes them), later ones change that
 * private copy. So a long fold costs one copy, not one per event. `state` is the state after the
 * events applied so far; it stays as it is once the fold is let go (a later `apply` changes it).
 */
export interface RegistryFold {
  readonly state: RegistryState | undefined;
  apply(event: DomainEvent): void;
}

export const startFold = (from: RegistryState | undefined, streamId?: string): RegistryFold => {
  let current: RegistryState | undefined = from;
  let draft: Draft | undefined;
  const owned: Owned = { profiles: false, tombstones: false };
  return {
    get state() {
      return current;
    },
    apply(event) {
      if (!draft) {
        const slug = current?.slug ?? streamId ?? (event.type === 'registry.created' ? event.data.slug : '');
        draft = current ? draftOf(current) : emptyDraft(slug, event);
        owned.profiles = owned.tombstones = !current;
        current = draft;
      }
      applyEvent(draft, event, owned);
    },
  };
};

/** Folds `events` into `from` (undefined: a registry with no events yet) and returns the new state; `from` is left as it was. */
export const foldEvents = (
  events: Iterable<DomainEvent>,
  streamId?: string,
  from?: RegistryState,
): RegistryState | undefined => {
  const fold = startFold(from, streamId);
  for (const event of events) fold.apply(event);
  return fold.state;
};

/** One event applied to a registry's state: a new state; `state` is left as it was. */
export const evolve = (state: RegistryState | undefined, event: DomainEvent, streamId?: string): RegistryState =>
  foldEvents([event], streamId, state) as RegistryState;
