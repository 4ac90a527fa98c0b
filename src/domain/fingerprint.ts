import { canonicalJson, sha256Hex } from './canonical-json.js';
import type { Runtime } from './profile.js';

/** `sha256:<hex>` of the canonical `{registry_slug, profile_slug, runtime}` (runtime = effective runtime). */
export const runtimeFingerprint = (registrySlug: string, profileSlug: string, effectiveRuntime: Runtime): string =>
  `sha256:${sha256Hex(canonicalJson({ registry_slug: registrySlug, profile_slug: profileSlug, runtime: effectiveRuntime }))}`;
