import type { ProfileContent } from './profile.js';

/**
 * JSON of profile content, byte for byte what JSON.stringify writes. Content objects are never
 * changed once built, and a write that leaves a field alone keeps its object (the runtime, the
 * policy, ...): each such object is serialized once, then reused by the event, the stored
 * profile and the summary of every version that shares it.
 */
const partJsonCache = new WeakMap<object, string>();

/** JSON.stringify of one field's value, remembered for objects and arrays. */
export const contentPartJson = (value: unknown): string => {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  let json = partJsonCache.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    partJsonCache.set(value, json);
  }
  return json;
};

/** `{"key":value,...}` from entries in order, leaving out undefined values as JSON.stringify does. */
export const objectJson = (entries: Iterable<[string, unknown]>): string => {
  const parts: string[] = [];
  for (const [key, value] of entries) {
    if (value === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${contentPartJson(value)}`);
  }
  return `{${parts.join(',')}}`;
};

/** JSON.stringify(content), each field's value from the cache. */
export const contentJson = (content: ProfileContent): string => objectJson(Object.entries(content));

/** JSON.stringify(data) of an event's data whose `content` (if any) is profile content. */
export const eventDataJson = (data: object): string => {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    const json = key === 'content' ? contentJson(value as ProfileContent) : JSON.stringify(value);
    parts.push(`${JSON.stringify(key)}:${json}`);
  }
  return `{${parts.join(',')}}`;
};
