import { stackRefused } from './errors.js';
import type { Middleware, ProfileContent, Runtime, StackRef } from './profile.js';

export const MAX_STACK_DEPTH = 32;

/** A live profile's content by registry and slug, or undefined. */
export type ProfileLookup = (registry: string, slug: string) => ProfileContent | undefined;

export interface StackLayer {
  registry: string;
  content: ProfileContent;
}

const refRegistry = (ref: StackRef, holder: string): string => ref.registry_slug ?? holder;

/**
 * The layers of a profile, base first and the profile itself last: its stack refs expanded depth
 * first, each profile once. A cycle, a chain deeper than 32 or (unless `skipMissing`) a ref to a
 * missing profile is refused.
 */
export const expandStack = (
  registry: string,
  content: ProfileContent,
  lookup: ProfileLookup,
  options: { skipMissing?: boolean } = {},
): StackLayer[] => {
  const layers: StackLayer[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const label = (r: string, slug: string) => (r === registry ? slug : `${r}/${slug}`);
  const visit = (layerRegistry: string, layer: ProfileContent) => {
    const key = `${layerRegistry}/${layer.slug}`;
    if (path.includes(key)) {
      const cycle = [...path.slice(path.indexOf(key)), key].map((k) => label(...(k.split('/') as [string, string])));
      throw stackRefused(`stack cycle detected: ${cycle.join(' -> ')}`);
    }
    if (done.has(key)) return;
    if (path.length > MAX_STACK_DEPTH) throw stackRefused(`stack depth exceeds ${MAX_STACK_DEPTH}`);
    path.push(key);
    for (const ref of layer.stack) {
      const baseRegistry = refRegistry(ref, layerRegistry);
      const base = lookup(baseRegistry, ref.profile_slug);
      if (!base) {
        if (options.skipMissing) continue;
        throw stackRefused(`stack refers to missing profile "${baseRegistry}/${ref.profile_slug}"`);
      }
      visit(baseRegistry, base);
    }
    path.pop();
    done.add(key);
    layers.push({ registry: layerRegistry, content: layer });
  };
  visit(registry, content);
  return layers;
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Objects merged key by key, recursively; anything else is replaced by the later value. */
export const deepMerge = (base: unknown, over: unknown): unknown => {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = key in out ? deepMerge(out[key], value) : value;
  return out;
};

const mergeStepSettings = (
  base: Runtime['step_settings_patch'],
  over: Runtime['step_settings_patch'],
): Runtime['step_settings_patch'] => {
  if (over === undefined) return base;
  const out: Record<string, Record<string, unknown>> = { ...base };
  for (const [section, fields] of Object.entries(over)) out[section] = { ...out[section], ...fields };
  return out;
};

/** The key a middleware merges by: `name#id`, or `name@n` (its position among same-named ones without an id). */
export const middlewareKeys = (list: Middleware[]): string[] => {
  const seen = new Map<string, number>();
  return list.map((middleware) => {
    if (middleware.id !== undefined) return `${middleware.name}#${middleware.id}`;
    const nth = seen.get(middleware.name) ?? 0;
    seen.set(middleware.name, nth + 1);
    return `${middleware.name}@${nth}`;
  });
};

/** Middlewares are matched by name + id (by position among same-named ones where there is no id); the later wins in place. */
const mergeMiddlewares = (base: Middleware[] | undefined, over: Middleware[] | undefined): Middleware[] | undefined => {
  if (over === undefined) return base;
  const keyed = middlewareKeys;
  const out = [...(base ?? [])];
  const baseKeys = keyed(out);
  keyed(over).forEach((key, index) => {
    const at = baseKeys.indexOf(key);
    if (at >= 0) out[at] = over[index];
    else {
      out.push(over[index]);
      baseKeys.push(key);
    }
  });
  return out;
};

/** Merges one runtime layer over another (the later layer is the leaf). */
export const mergeRuntime = (base: Runtime, over: Runtime): Runtime => {
  const out: Runtime = {};
  const steps = mergeStepSettings(base.step_settings_patch, over.step_settings_patch);
  if (steps !== undefined) out.step_settings_patch = steps;
  const prompt = over.system_prompt ? over.system_prompt : base.system_prompt;
  if (prompt !== undefined) out.system_prompt = prompt;
  const middlewares = mergeMiddlewares(base.middlewares, over.middlewares);
  if (middlewares !== undefined) out.middlewares = middlewares;
  const tools = over.tools ?? base.tools;
  if (tools !== undefined) out.tools = tools;
  return out;
};
