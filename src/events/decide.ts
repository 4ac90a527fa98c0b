import {
  defaultProfileRequired,
  defaultProfileUndeletable,
  defaultRegistryUndeletable,
  type FieldError,
  type NamedProfile,
  profileAlreadyExists,
  profileInUse,
  profileNotFound,
  profileVersionConflict,
  readOnlyProfile,
  registryAlreadyExists,
  registryNotFound,
  registryVersionConflict,
  schemaValidationFailed,
  secretsToReenter,
} from '../domain/errors.js';
import { applyProfileFields, emptyProfile, type ProfileContent } from '../domain/profile.js';
import { profileSchemaErrors, type SchemaLookup } from '../domain/profile-schema-validation.js';
import { jsonPointer } from '../domain/json-schema-check.js';
import type { SchemaPolicies } from '../domain/schema-documents.js';
import { sameContent } from '../domain/canonical-json.js';
import { restoreStoredSecrets, SECRET_AREAS } from '../domain/secrets.js';
import { signatureVerdict, signProfile } from '../domain/profile-signature.js';
import { expandStack, type ProfileLookup } from '../domain/stack-merge.js';
import type { Command, RegistryTarget } from './commands.js';
import { decideConverge } from './decide-converge.js';
import type { EventBody } from './event-types.js';
import {
  applySchemaPolicies,
  DEFAULT_REGISTRY,
  profileVersionAfter,
  type ProfileState,
  type RegistryState,
} from './registry-state.js';

/** What the decider may know beyond the registry it judges: other registries' profiles, and who stacks on whom. */
export interface DecideContext {
  lookupProfile: ProfileLookup;
  /** `registry/slug` of every live profile whose stack names this one. */
  dependentsOf(registry: string, slug: string): string[];
  /** When and by whom the command is decided (a signature records both); the bus stamps its events with the same. */
  now?: number;
  actor?: string;
  /** The registered schemas of middlewares and extensions (absent: profiles are not checked against any). */
  schemas?: SchemaLookup;
}

/** A context that sees only the judged registry (enough for commands without cross-registry stacks). */
export const localDecideContext = (state: RegistryState | undefined): DecideContext => ({
  lookupProfile: (registry, slug) =>
    state?.live && registry === state.slug ? state.profiles.get(slug)?.content : undefined,
  dependentsOf: () => [],
});

/** A new or changed stack must expand: no cycle, not too deep, every ref to a live profile. */
const checkStack = (registry: string, content: ProfileContent, previous: ProfileContent | undefined, lookup: ProfileLookup) => {
  if (content.stack.length === 0 || (previous !== undefined && sameContent(previous.stack, content.stack))) return;
  expandStack(registry, content, (r, slug) => (r === registry && slug === content.slug ? content : lookup(r, slug)));
};

/** `outsideOnly`: when the whole registry changes at once, its own dependents are judged by their new stacks. */
const checkNoDependents = (registry: string, slug: string, context: DecideContext, outsideOnly = false) => {
  const dependents = context
    .dependentsOf(registry, slug)
    .filter((dependent) => !outsideOnly || !dependent.startsWith(`${registry}/`));
  if (dependents.length > 0) throw profileInUse(slug, dependents.map(namedProfile), 0);
};

const namedProfile = (key: string): NamedProfile => {
  const at = key.indexOf('/');
  return { registry: key.slice(0, at), profile: key.slice(at + 1) };
};

/** A converge's new stacks must expand against the registry as it will be; what it deletes must not be stacked on from elsewhere. */
const checkConvergedStacks = (
  state: RegistryState | undefined,
  registry: string,
  events: EventBody[],
  target: RegistryTarget,
  context: DecideContext,
) => {
  const deleted = new Set(events.flatMap((event) => (event.type === 'profile.deleted' ? [event.data.profile] : [])));
  const after: ProfileLookup = (r, slug) => {
    if (r !== registry) return context.lookupProfile(r, slug);
    if (deleted.has(slug)) return undefined;
    return target.profiles[slug] ?? (state?.live ? state.profiles.get(slug)?.content : undefined);
  };
  for (const event of events) {
    if (event.type === 'profile.created' || event.type === 'profile.updated') {
      const previous = state?.live ? state.profiles.get(event.data.profile)?.content : undefined;
      checkStack(registry, event.data.content, previous, after);
    }
    if (event.type === 'profile.deleted') checkNoDependents(registry, event.data.profile, context, true);
  }
};

/**
 * An import that sends "***" back for a secret keeps the stored value; one that sends it where
 * nothing is stored (a redacted export into another store) or beside a changed value is refused,
 * naming every such path.
 */
const withStoredSecrets = (state: RegistryState | undefined, registry: string, target: RegistryTarget): RegistryTarget => {
  const live = state?.live ? state : undefined;
  const profiles: Record<string, ProfileContent> = {};
  const reenter: FieldError[] = [];
  for (const [slug, content] of Object.entries(target.profiles)) {
    const pointer = `/registries/${registry}/profiles/${slug}`;
    const restored = restoreStoredSecrets(content, live?.profiles.get(slug)?.content, SECRET_AREAS.profile, pointer);
    profiles[slug] = restored.value;
    reenter.push(...restored.reenter);
  }
  if (reenter.length > 0) throw secretsToReenter(reenter);
  return { ...target, profiles };
};

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
  if (registry.profiles.has(slug)) throw profileAlreadyExists(slug);
  const events: EventBody[] = [
    { type: 'profile.created', data: { profile: slug, version: profileVersionAfter(registry, slug) + 1, content } },
  ];
  if (setDefault || registry.default_profile_slug === undefined) events.push(...defaultChange(registry, slug));
  return events;
};

/** The schema policies a command's events leave the registry with. */
const policiesAfter = (state: RegistryState | undefined, events: readonly EventBody[]): SchemaPolicies => {
  const policies: SchemaPolicies = {};
  if (state?.live) applySchemaPolicies(policies, state);
  for (const event of events) {
    if (event.type === 'registry.created') {
      delete policies.unknown_middlewares;
      delete policies.unknown_extensions;
    }
    if (event.type === 'registry.created' || event.type === 'registry.updated') applySchemaPolicies(policies, event.data);
  }
  return policies;
};

/**
 * Every content a command writes must pass the registered schemas (what it leaves unchanged is not
 * judged again), except an import's: every profile of the file is judged, and a refusal is
 * located at its place in the file (`errors_under`).
 */
const checkWrittenContents = (state: RegistryState | undefined, events: readonly EventBody[], schemas: SchemaLookup | undefined, command: Command) => {
  if (schemas === undefined) return;
  const under = command.type === 'converge_registry' ? command.errors_under : undefined;
  const judged: [string, ProfileContent][] =
    command.type === 'converge_registry' && under !== undefined
      ? Object.entries(command.target.profiles)
      : events.flatMap((event): [string, ProfileContent][] =>
          event.type === 'profile.created' || event.type === 'profile.updated' ? [[event.data.profile, event.data.content]] : [],
        );
  if (judged.length === 0) return;
  const policies = policiesAfter(state, events);
  for (const [slug, content] of judged) {
    const errors = profileSchemaErrors(content, schemas, policies);
    if (errors.length === 0) continue;
    const base = under === undefined ? '' : jsonPointer([...under, slug]);
    const located = errors.map((error) => ({ path: `${base}${error.path}`, message: error.message }));
    throw schemaValidationFailed(located);
  }
};

/** The policy fields a registry command sets. */
const policyFields = (command: SchemaPolicies): SchemaPolicies => {
  const out: SchemaPolicies = {};
  if (command.unknown_middlewares !== undefined) out.unknown_middlewares = command.unknown_middlewares;
  if (command.unknown_extensions !== undefined) out.unknown_extensions = command.unknown_extensions;
  return out;
};

/** The policy fields that differ from the registry's (absent there means allow). */
const changedPolicies = (registry: SchemaPolicies, wanted: SchemaPolicies): SchemaPolicies => {
  const out: SchemaPolicies = {};
  for (const field of ['unknown_middlewares', 'unknown_extensions'] as const) {
    if (wanted[field] !== undefined && wanted[field] !== (registry[field] ?? 'allow')) out[field] = wanted[field];
  }
  return out;
};

/**
 * The write side's only judge: from a registry's state and a command, the events that happen,
 * or a DomainError. Pure: no I/O, no clock (timestamps are stamped on the events by the caller).
 */
export const decide = (
  state: RegistryState | undefined,
  command: Command,
  context: DecideContext = localDecideContext(state),
): EventBody[] => {
  const events = decideEvents(state, command, context);
  checkWrittenContents(state, events, context.schemas, command);
  return events;
};

/** Decides one type of command: the command's own type, so each case reads its own fields. */
type DecideCase<T extends Command['type']> = (
  state: RegistryState | undefined,
  command: Extract<Command, { type: T }>,
  context: DecideContext,
) => EventBody[];

const decideByType: { [T in Command['type']]: DecideCase<T> } = {
  create_registry: (state, command) => {
    if (state?.live) throw registryAlreadyExists(command.registry);
    const data: { slug: string; display_name?: string; description?: string } = { slug: command.registry };
    if (command.display_name) data.display_name = command.display_name;
    if (command.description) data.description = command.description;
    return [{ type: 'registry.created', data: { ...data, ...changedPolicies({}, policyFields(command)) } }];
  },
  update_registry: (state, command) => {
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
    Object.assign(data, changedPolicies(registry, policyFields(command)));
    if (Object.keys(data).length > 0) events.push({ type: 'registry.updated', data });
    if (command.default_profile_slug !== undefined && command.default_profile_slug !== null) {
      existingProfile(registry, command.default_profile_slug);
      events.push(...defaultChange(registry, command.default_profile_slug));
    } else if (command.default_profile_slug === null && registry.default_profile_slug !== undefined) {
      if (registry.profiles.size > 0) {
        throw defaultProfileRequired();
      }
    }
    return events;
  },
  delete_registry: (state, command, context) => {
    const registry = liveRegistry(state);
    if (registry.slug === DEFAULT_REGISTRY) {
      throw defaultRegistryUndeletable();
    }
    checkRegistryVersion(registry, command.expected_version);
    for (const slug of registry.profiles.keys()) checkNoDependents(registry.slug, slug, context, true);
    return [{ type: 'registry.deleted', data: {} }];
  },
  create_profile: (state, command, context) => {
    const registry = liveRegistry(state);
    const content = applyProfileFields(emptyProfile(command.slug), command.fields);
    checkStack(registry.slug, content, undefined, context.lookupProfile);
    return decideCreateProfile(registry, command.slug, content, command.set_default === true);
  },
  update_profile: (state, command, context) => {
    const registry = liveRegistry(state);
    const profile = existingProfile(registry, command.slug);
    checkProfileVersion(command.slug, profile, command.expected_version);
    checkWritable(command.slug, profile);
    const content = applyProfileFields(profile.content, command.fields);
    checkStack(registry.slug, content, profile.content, context.lookupProfile);
    const events: EventBody[] = [];
    if (!sameContent(content, profile.content)) {
      events.push({ type: 'profile.updated', data: { profile: command.slug, version: profile.version + 1, content } });
    }
    if (command.set_default === true) events.push(...defaultChange(registry, command.slug));
    return events;
  },
  delete_profile: (state, command, context) => {
    const registry = liveRegistry(state);
    const profile = existingProfile(registry, command.slug);
    checkProfileVersion(command.slug, profile, command.expected_version);
    checkWritable(command.slug, profile);
    checkNoDependents(registry.slug, command.slug, context);
    const isDefault = registry.default_profile_slug === command.slug;
    if (isDefault && registry.profiles.size > 1) {
      throw defaultProfileUndeletable(command.slug);
    }
    const events: EventBody[] = [
      { type: 'profile.deleted', data: { profile: command.slug, version: profile.version + 1 } },
    ];
    if (isDefault) events.push({ type: 'registry.default_profile_changed', data: { profile: null } });
    return events;
  },
  set_default_profile: (state, command) => {
    const registry = liveRegistry(state);
    checkRegistryVersion(registry, command.expected_version);
    existingProfile(registry, command.slug);
    return defaultChange(registry, command.slug);
  },
  publish_profile: (state, command, context) => {
    const registry = liveRegistry(state);
    const profile = existingProfile(registry, command.slug);
    checkProfileVersion(command.slug, profile, command.expected_version);
    const key = command.key;
    const current = profile.signature;
    // publishing a version already signed by this key changes nothing
    if (current?.key_id === key.id) {
      const keys = { signing: key, byId: new Map([[key.id, key]]) };
      if (signatureVerdict(keys, registry.slug, profile) === 'valid') return [];
    }
    const signature = signProfile(key, registry.slug, profile.content, {
      version: profile.version,
      signed_at: new Date(context.now ?? 0).toISOString(),
      signed_by: context.actor ?? 'unknown',
    });
    return [{ type: 'profile.published', data: { profile: command.slug, ...signature } }];
  },
  put_profile: (state, command, context) => {
    const registry = liveRegistry(state);
    const profile = registry.profiles.get(command.slug);
    if (!profile) {
      if (hasExpectation(command.expected_version)) {
        const actual = profileVersionAfter(registry, command.slug);
        if (command.expected_version !== actual) throw profileVersionConflict(command.slug, command.expected_version, actual);
      }
      checkStack(registry.slug, command.content, undefined, context.lookupProfile);
      return decideCreateProfile(registry, command.slug, command.content, false);
    }
    checkProfileVersion(command.slug, profile, command.expected_version);
    checkWritable(command.slug, profile);
    checkStack(registry.slug, command.content, profile.content, context.lookupProfile);
    if (sameContent(command.content, profile.content)) return [];
    return [
      { type: 'profile.updated', data: { profile: command.slug, version: profile.version + 1, content: command.content } },
    ];
  },
  converge_registry: (state, command, context) => {
    if (state?.live) checkRegistryVersion(state, command.expected_version);
    const target = withStoredSecrets(state, command.registry, command.target);
    const events = decideConverge(state, command.registry, target, command.prune);
    checkConvergedStacks(state, command.registry, events, target, context);
    return events;
  },
};

const decideEvents = (state: RegistryState | undefined, command: Command, context: DecideContext): EventBody[] =>
  // the record pairs each command type with the case that takes it
  (decideByType[command.type] as DecideCase<Command['type']>)(state, command, context);
