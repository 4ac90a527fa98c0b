import { sameContent } from '../domain/canonical-json.js';
import { defaultProfileNotInRegistry, readOnlyProfile } from '../domain/errors.js';
import type { SchemaPolicies } from '../domain/schema-documents.js';
import type { RegistryTarget } from './commands.js';
import type { EventBody } from './event-types.js';
import { profileVersionAfter, type RegistryState } from './registry-state.js';

/** The default a target ends with: its own if it names one of its profiles, else the current one if kept, else the first slug. */
const targetDefault = (state: RegistryState | undefined, target: RegistryTarget, slugs: string[]): string | undefined => {
  if (target.default_profile_slug !== undefined) {
    if (!slugs.includes(target.default_profile_slug)) {
      throw defaultProfileNotInRegistry(target.default_profile_slug);
    }
    return target.default_profile_slug;
  }
  const current = state?.default_profile_slug;
  if (current !== undefined && slugs.includes(current)) return current;
  return [...slugs].sort()[0];
};

/** The policies a target sets that the registry does not have yet (a target that names none keeps them). */
const targetPolicies = (state: SchemaPolicies | undefined, target: RegistryTarget): SchemaPolicies => {
  const out: SchemaPolicies = {};
  for (const field of ['unknown_middlewares', 'unknown_extensions'] as const) {
    const wanted = target[field];
    if (wanted !== undefined && wanted !== (state?.[field] ?? 'allow')) out[field] = wanted;
  }
  return out;
};

/** Events that take a registry from `state` to `target` (see the converge_registry command). */
export const decideConverge = (
  state: RegistryState | undefined,
  registry: string,
  target: RegistryTarget,
  prune: boolean,
): EventBody[] => {
  const events: EventBody[] = [];
  const live = state?.live === true;
  if (!live) {
    const data: { slug: string; display_name?: string; description?: string } = { slug: registry };
    if (target.display_name) data.display_name = target.display_name;
    if (target.description) data.description = target.description;
    events.push({ type: 'registry.created', data: { ...data, ...targetPolicies(undefined, target) } });
  } else {
    // without prune (import) a field the target leaves out is kept, as its profiles are
    const changes = (wanted: string | undefined, current: string | undefined) =>
      (prune || wanted !== undefined) && (wanted || undefined) !== current;
    const data: { display_name?: string | null; description?: string | null } = {};
    if (changes(target.display_name, state.display_name)) data.display_name = target.display_name || null;
    if (changes(target.description, state.description)) data.description = target.description || null;
    Object.assign(data, targetPolicies(state, target));
    if (Object.keys(data).length > 0) events.push({ type: 'registry.updated', data });
  }
  const current = live ? state.profiles : new Map();
  const keptSlugs = prune
    ? Object.keys(target.profiles)
    : [...new Set([...current.keys(), ...Object.keys(target.profiles)])];
  const nextDefault = targetDefault(live ? state : undefined, target, keptSlugs);

  for (const slug of Object.keys(target.profiles).sort()) {
    const content = target.profiles[slug];
    const existing = current.get(slug);
    if (!existing) {
      events.push({ type: 'profile.created', data: { profile: slug, version: profileVersionAfter(state, slug) + 1, content } });
    } else if (!sameContent(existing.content, content)) {
      // an import (no prune) obeys the write rules; a restore may bring back any past content
      if (!prune && existing.content.policy.read_only) throw readOnlyProfile(slug);
      events.push({ type: 'profile.updated', data: { profile: slug, version: existing.version + 1, content } });
    }
  }
  const currentDefault = live ? state.default_profile_slug : undefined;
  if (nextDefault !== currentDefault && nextDefault !== undefined) {
    events.push({ type: 'registry.default_profile_changed', data: { profile: nextDefault } });
  }
  if (prune) {
    for (const [slug, profile] of [...current.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (!Object.hasOwn(target.profiles, slug)) {
        events.push({ type: 'profile.deleted', data: { profile: slug, version: profile.version + 1 } });
      }
    }
    if (keptSlugs.length === 0 && currentDefault !== undefined) {
      events.push({ type: 'registry.default_profile_changed', data: { profile: null } });
    }
  }
  return events;
};
