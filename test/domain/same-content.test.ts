import { describe, expect, it } from 'vitest';
import { canonicalJson, sameContent } from '../../src/domain/canonical-json.js';
import { roleProfiles } from '../support/role-profiles.js';

const roleProfile = (): Record<string, unknown> => roleProfiles()[0] as Record<string, unknown>;

/** Rebuilds an object with its keys in reverse order, at every depth. */
const reversedKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, inner]) => [key, reversedKeys(inner)]));
};

describe('sameContent: the no-op check of writes', () => {
  it('agrees with canonical JSON on a real profile, whatever the key order', () => {
    const profile = roleProfile();
    const reordered = reversedKeys(profile);
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(profile));
    expect(sameContent(profile, reordered)).toBe(true);
    expect(canonicalJson(profile)).toBe(canonicalJson(reordered));
  });

  it('sees a change at any depth, in arrays and in types', () => {
    const profile = roleProfile();
    const changedDeep = structuredClone(profile);
    changedDeep.runtime = { ...(changedDeep.runtime as object), system_prompt: 'changed' };
    expect(sameContent(profile, changedDeep)).toBe(false);
    expect(sameContent({ tools: ['a', 'b'] }, { tools: ['b', 'a'] })).toBe(false);
    expect(sameContent({ tools: ['a'] }, { tools: ['a', 'a'] })).toBe(false);
    expect(sameContent({ n: 1 }, { n: '1' })).toBe(false);
    expect(sameContent({ n: [] }, { n: {} })).toBe(false);
    expect(sameContent({ n: null }, { n: {} })).toBe(false);
    expect(sameContent({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });

  it('counts a key whose value is undefined as absent, as JSON does', () => {
    expect(sameContent({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameContent({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(sameContent({ a: undefined }, { a: null })).toBe(false);
  });
});
