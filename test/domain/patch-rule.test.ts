import { describe, expect, it } from 'vitest';
import { applyProfileFields, newProfileContent } from '../../src/domain/profile.js';

const base = newProfileContent('analyst', {
  display_name: 'Analyst',
  description: 'Reads numbers',
  runtime: { system_prompt: 'You are an analyst', tools: ['search'] },
  policy: { read_only: false, denied_override_keys: ['tools'] },
  extensions: { 'vendor.custom@v1': { on: true } },
  stack: [{ profile_slug: 'base' }],
  metadata: { tags: ['team-a'] },
});

describe('the patch rule', () => {
  it('keeps every absent field', () => {
    expect(applyProfileFields(base, {})).toEqual(base);
  });

  it('replaces a present field as a whole', () => {
    const next = applyProfileFields(base, { runtime: { tools: ['calc'] } });
    expect(next.runtime).toEqual({ tools: ['calc'] });
    expect({ ...next, runtime: base.runtime }).toEqual(base);
    // geppetto's zero policy: what the body does not allow is not allowed
    expect(applyProfileFields(base, { policy: { read_only: true } }).policy).toEqual({
      allow_overrides: false,
      allowed_override_keys: [],
      denied_override_keys: [],
      read_only: true,
    });
    expect(applyProfileFields(base, { extensions: {} }).extensions).toEqual({});
    expect(applyProfileFields(base, { stack: [] }).stack).toEqual([]);
    expect(applyProfileFields(base, { metadata: { tags: [] } }).tags).toEqual([]);
  });

  it('clears display_name and description with null or an empty string', () => {
    const cleared = applyProfileFields(base, { display_name: null, description: '' });
    expect(cleared).not.toHaveProperty('display_name');
    expect(cleared).not.toHaveProperty('description');
    expect(cleared.runtime).toEqual(base.runtime);
  });

  it('keeps tags when metadata has none', () => {
    expect(applyProfileFields(base, { metadata: {} }).tags).toEqual(['team-a']);
  });

  it('never changes the profile it starts from', () => {
    const snapshot = structuredClone(base);
    applyProfileFields(base, { display_name: null, runtime: {}, metadata: { tags: [] } });
    expect(base).toEqual(snapshot);
  });
});
