import { validationError } from './errors.js';
import type { Policy } from './profile.js';

/**
 * Request overrides judged as geppetto judges them (pkg/profiles, enforceOverridePolicy): keys
 * compared in a canonical form (trimmed, camelCase to snake_case, lower case, `-` as `_`); a
 * profile must allow overrides; a denied key is refused; a non-empty allow list admits only its keys.
 */
export const canonicalOverrideKey = (raw: string): string => {
  const trimmed = raw.trim();
  let out = '';
  for (const [index, char] of [...trimmed].entries()) out += index > 0 && char >= 'A' && char <= 'Z' ? `_${char}` : char;
  return out.toLowerCase().replaceAll('-', '_');
};

/** Overrides keyed canonically; two keys of one canonical form are refused (as geppetto does). */
export const canonicalOverrides = (overrides: Record<string, unknown>, field: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [raw, value] of Object.entries(overrides)) {
    const key = canonicalOverrideKey(raw);
    if (key === '') throw validationError(field, 'override keys must not be empty');
    if (key in out) throw validationError(`${field}.${key}`, 'duplicate override key after canonicalization');
    out[key] = value;
  }
  return out;
};

/** Why the policy refuses these (canonical) override keys, or undefined when it allows them. */
export const overrideRefusal = (policy: Policy, keys: string[]): { key?: string; reason: string } | undefined => {
  if (keys.length === 0) return undefined;
  if (!policy.allow_overrides) return { reason: 'request overrides are disabled for this profile' };
  const allowed = new Set(policy.allowed_override_keys.map(canonicalOverrideKey));
  const denied = new Set(policy.denied_override_keys.map(canonicalOverrideKey));
  for (const key of keys) {
    if (denied.has(key)) return { key, reason: `override key "${key}" is denied` };
    if (allowed.size > 0 && !allowed.has(key)) return { key, reason: `override key "${key}" is not allowed` };
  }
  return undefined;
};

/**
 * The policy of a stack, most restrictive first as geppetto merges it: every layer must allow
 * overrides, any layer makes it read-only, denied keys add up, allow lists intersect (less the
 * denied keys). As in geppetto, an intersection that comes out empty is no allow list at all.
 */
export const mergePolicyLayers = (policies: Policy[]): Policy => {
  let allowed: Set<string> | undefined;
  const denied = new Set<string>();
  for (const policy of policies) {
    const layerAllowed = new Set(policy.allowed_override_keys.map(canonicalOverrideKey).filter((key) => key !== ''));
    if (layerAllowed.size > 0) allowed = allowed === undefined ? layerAllowed : new Set([...allowed].filter((key) => layerAllowed.has(key)));
    for (const key of policy.denied_override_keys.map(canonicalOverrideKey)) if (key !== '') denied.add(key);
  }
  for (const key of denied) allowed?.delete(key);
  return {
    allow_overrides: policies.length > 0 && policies.every((policy) => policy.allow_overrides),
    allowed_override_keys: [...(allowed ?? [])].sort(),
    denied_override_keys: [...denied].sort(),
    read_only: policies.some((policy) => policy.read_only),
  };
};
