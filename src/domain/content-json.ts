import { objectJson, type ObjectPart } from './json-splicing.js';
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

/** JSON.stringify of an object from its entries in order, each value's JSON from the cache. */
export const objectJsonOfValues = (entries: Iterable<readonly [string, unknown]>): string =>
  objectJson(Array.from(entries, ([key, value]): ObjectPart<string> => [key, value === undefined ? undefined : contentPartJson(value)]));

/** JSON.stringify(content), each field's value from the cache. */
export const contentJson = (content: ProfileContent): string => objectJsonOfValues(Object.entries(content));

/** JSON.stringify(data) of an event's data whose `content` (if any) is profile content. */
export const eventDataJson = (data: object): string =>
  objectJson(
    Object.entries(data).map(([key, value]): ObjectPart<string> => [
      key,
      value === undefined ? undefined : key === 'content' ? contentJson(value as ProfileContent) : JSON.stringify(value),
    ]),
  );
