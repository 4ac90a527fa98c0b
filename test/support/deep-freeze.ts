import { ForkedMap } from '../../src/events/forked-map.js';

const refuse = (): never => {
  throw new TypeError('a frozen map was changed');
};

/**
 * Freezes a value all the way down, maps (and states' ForkedMaps) included (Object.freeze alone lets `set` through): any
 * change to it afterwards throws, so code run on it proves it changes nothing it was given.
 */
export const deepFreeze = <T>(value: T): T => {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (value instanceof Map || value instanceof ForkedMap) {
    for (const [key, entry] of value) {
      deepFreeze(key);
      deepFreeze(entry);
    }
    Object.defineProperties(value, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  }
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
};
