import { overridesNotAllowed } from './errors.js';
import { runtimeFingerprint, type FingerprintKey } from './fingerprint.js';
import type { Policy, ProfileContent, Runtime } from './profile.js';
import { overrideRefusal, mergePolicyLayers } from './override-policy.js';
import { deepMerge, expandStack, mergeRuntime, type ProfileLookup, type StackLayer } from './stack-merge.js';

export interface EffectiveProfile {
  runtime: Runtime;
  policy: Policy;
  extensions: Record<string, unknown>;
  /** The layers that were merged, base first. */
  lineage: { registry: string; slug: string }[];
}

const mergedRuntime = (layers: StackLayer[]): Runtime => layers.reduce<Runtime>((runtime, layer) => mergeRuntime(runtime, layer.content.runtime), {});

/** A profile with its stack merged, base to leaf. */
export const effectiveProfile = (
  registry: string,
  content: ProfileContent,
  lookup: ProfileLookup,
  options: { skipMissing?: boolean } = {},
): EffectiveProfile => {
  const layers = expandStack(registry, content, lookup, options);
  return {
    runtime: mergedRuntime(layers),
    policy: mergePolicyLayers(layers.map((layer) => layer.content.policy)),
    extensions: layers.reduce<Record<string, unknown>>(
      (extensions, layer) => deepMerge(extensions, layer.content.extensions) as Record<string, unknown>,
      {},
    ),
    lineage: layers.map((layer) => ({ registry: layer.registry, slug: layer.content.slug })),
  };
};

// Without a stack the effective runtime is the profile's own, and a write that leaves the runtime
// alone keeps its object: its fingerprint (under one store's key) is remembered by that object.
const unstackedFingerprints = new WeakMap<Runtime, { owner: string; key: FingerprintKey; fingerprint: string }>();

/** The fingerprint of a profile's effective runtime (missing bases are skipped, never refused, on the read side). */
export const effectiveFingerprint = (key: FingerprintKey, registry: string, content: ProfileContent, lookup: ProfileLookup): string => {
  const compute = () =>
    // the runtime alone: the fingerprint covers neither the policy nor the extensions
    runtimeFingerprint(key, registry, content.slug, mergedRuntime(expandStack(registry, content, lookup, { skipMissing: true })));
  if (content.stack.length > 0) return compute();
  const owner = `${registry}/${content.slug}`;
  const known = unstackedFingerprints.get(content.runtime);
  if (known?.owner === owner && known.key === key) return known.fingerprint;
  const fingerprint = compute();
  unstackedFingerprints.set(content.runtime, { owner, key, fingerprint });
  return fingerprint;
};


/** Request overrides (canonical keys) checked against the effective policy as geppetto judges them, then merged as a last layer. */
export const applyOverrides = (effective: EffectiveProfile, overrides: Runtime, field = 'overrides'): Runtime => {
  const keys = Object.entries(overrides)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);
  if (keys.length === 0) return effective.runtime;
  const refused = overrideRefusal(effective.policy, keys);
  if (refused !== undefined) {
    throw overridesNotAllowed(refused.key === undefined ? field : `${field}.${refused.key}`, refused.reason);
  }
  return mergeRuntime(effective.runtime, overrides);
};
