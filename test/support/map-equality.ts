import { expect } from 'vitest';
import { ForkedMap } from '../../src/events/forked-map.js';

/**
 * `toEqual` compares a state's ForkedMap as the Map it stands for: equal to a Map or ForkedMap
 * with equal entries (vitest's own Map equality wants both of one class).
 */
expect.addEqualityTesters([
  function mapEntries(a, b, customTesters) {
    if (!(a instanceof ForkedMap || b instanceof ForkedMap)) return undefined;
    const isMap = (value: unknown) => value instanceof Map || value instanceof ForkedMap;
    if (!isMap(a) || !isMap(b)) return false;
    return this.equals(new Map(a as ReadonlyMap<unknown, unknown>), new Map(b as ReadonlyMap<unknown, unknown>), customTesters);
  },
]);
