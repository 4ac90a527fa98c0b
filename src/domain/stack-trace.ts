import type { Runtime } from './profile.js';
import { middlewareKeys } from './stack-merge.js';

/** A layer of a resolution: a profile of the stack, or the request's overrides. */
export interface TraceLayer {
  registry_slug: string;
  profile_slug: string;
  profile_version: number;
  /** `profile` for a stack layer, `request` for the request's overrides. */
  source: 'profile' | 'request';
  runtime: Runtime;
}

/** Which layer set one value of the effective runtime (as geppetto's stack trace names its steps). */
export interface TraceEntry {
  path: string;
  value: unknown;
  registry_slug: string;
  profile_slug: string;
  profile_version: number;
  layer_index: number;
  source: 'profile' | 'request';
}

const pointerToken = (token: string): string => token.replaceAll('~', '~0').replaceAll('/', '~1');

/** The values one layer writes, by JSON pointer, as the merge applies them (stack-merge.ts). */
const writesOf = (runtime: Runtime): [string, unknown][] => {
  const writes: [string, unknown][] = [];
  for (const [section, fields] of Object.entries(runtime.step_settings_patch ?? {})) {
    for (const [field, value] of Object.entries(fields)) {
      writes.push([`/runtime/step_settings_patch/${pointerToken(section)}/${pointerToken(field)}`, value]);
    }
  }
  if (runtime.system_prompt) writes.push(['/runtime/system_prompt', runtime.system_prompt]);
  if (runtime.tools !== undefined) writes.push(['/runtime/tools', runtime.tools]);
  const middlewares = runtime.middlewares ?? [];
  middlewareKeys(middlewares).forEach((key, index) => writes.push([`/runtime/middlewares/${pointerToken(key)}`, middlewares[index]]));
  return writes;
};

/**
 * For each value of the effective runtime, the layer that set it (the last one, base first):
 * sorted by path. Values shown are the runtime's as answered (secrets redacted by the caller).
 */
export const runtimeStackTrace = (layers: TraceLayer[]): TraceEntry[] => {
  const last = new Map<string, TraceEntry>();
  layers.forEach((layer, layerIndex) => {
    for (const [path, value] of writesOf(layer.runtime)) {
      last.set(path, {
        path,
        value,
        registry_slug: layer.registry_slug,
        profile_slug: layer.profile_slug,
        profile_version: layer.profile_version,
        layer_index: layerIndex,
        source: layer.source,
      });
    }
  });
  return [...last.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
};
