import { describe, expect, it } from 'vitest';
import { applyOverrides, effectiveProfile } from '../../src/domain/effective-runtime.js';
import { isDomainError } from '../../src/domain/errors.js';
import { emptyProfile, type ProfileContent } from '../../src/domain/profile.js';
import type { ProfileLookup } from '../../src/domain/stack-merge.js';

const profile = (slug: string, fields: Partial<ProfileContent> = {}): ProfileContent => ({ ...emptyProfile(slug), ...fields });

const lookupOf =
  (...profiles: [string, ProfileContent][]): ProfileLookup =>
  (registry, slug) =>
    profiles.find(([r, p]) => r === registry && p.slug === slug)?.[1];

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (isDomainError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
};

describe('stack merge (base to leaf)', () => {
  it('merges step settings per section and field, the leaf winning', () => {
    const base = profile('base', { runtime: { step_settings_patch: { 'ai-chat': { engine: 'a', temp: 0.2 }, client: { timeout: 60 } } } });
    const leaf = profile('leaf', {
      stack: [{ profile_slug: 'base' }],
      runtime: { step_settings_patch: { 'ai-chat': { engine: 'b' }, extra: { x: 1 } } },
    });
    const { runtime } = effectiveProfile('r', leaf, lookupOf(['r', base]));
    expect(runtime.step_settings_patch).toEqual({ 'ai-chat': { engine: 'b', temp: 0.2 }, client: { timeout: 60 }, extra: { x: 1 } });
  });

  it('keeps the last non-empty system prompt', () => {
    const base = profile('base', { runtime: { system_prompt: 'base prompt' } });
    const middle = profile('middle', { stack: [{ profile_slug: 'base' }], runtime: { system_prompt: '' } });
    const leaf = profile('leaf', { stack: [{ profile_slug: 'middle' }], runtime: {} });
    expect(effectiveProfile('r', leaf, lookupOf(['r', base], ['r', middle])).runtime.system_prompt).toBe('base prompt');
  });

  it('replaces tools with the last layer that sets them, even to an empty list', () => {
    const base = profile('base', { runtime: { tools: ['search', 'calc'] } });
    const middle = profile('middle', { stack: [{ profile_slug: 'base' }], runtime: { tools: [] } });
    const leaf = profile('leaf', { stack: [{ profile_slug: 'middle' }], runtime: { system_prompt: 'x' } });
    const lookup = lookupOf(['r', base], ['r', middle]);
    expect(effectiveProfile('r', leaf, lookup).runtime.tools).toEqual([]);
    expect(effectiveProfile('r', middle, lookup).runtime.tools).toEqual([]);
    expect(effectiveProfile('r', base, lookup).runtime.tools).toEqual(['search', 'calc']);
  });

  it('merges middlewares by name and id (by position without id), the leaf winning in place', () => {
    const base = profile('base', {
      runtime: {
        middlewares: [
          { name: 'log', id: 'audit', enabled: true, config: { level: 'info' } },
          { name: 'retry', enabled: true, config: { n: 1 } },
          { name: 'retry', enabled: true, config: { n: 2 } },
        ],
      },
    });
    const leaf = profile('leaf', {
      stack: [{ profile_slug: 'base' }],
      runtime: {
        middlewares: [
          { name: 'mode', id: 'primary', enabled: true },
          { name: 'log', id: 'audit', enabled: false },
          { name: 'retry', enabled: true, config: { n: 9 } },
        ],
      },
    });
    expect(effectiveProfile('r', leaf, lookupOf(['r', base])).runtime.middlewares).toEqual([
      { name: 'log', id: 'audit', enabled: false },
      { name: 'retry', enabled: true, config: { n: 9 } },
      { name: 'retry', enabled: true, config: { n: 2 } },
      { name: 'mode', id: 'primary', enabled: true },
    ]);
  });

  it('deep-merges extensions', () => {
    const base = profile('base', { extensions: { 'a.b@v1': { x: 1, nested: { keep: true, over: 1 }, list: [1, 2] } } });
    const leaf = profile('leaf', {
      stack: [{ profile_slug: 'base' }],
      extensions: { 'a.b@v1': { nested: { over: 2 }, list: [3] }, 'c.d@v1': null },
    });
    expect(effectiveProfile('r', leaf, lookupOf(['r', base])).extensions).toEqual({
      'a.b@v1': { x: 1, nested: { keep: true, over: 2 }, list: [3] },
      'c.d@v1': null,
    });
  });

  it('takes the most restrictive policy of the stack', () => {
    const policy = (fields: Partial<ProfileContent['policy']>) => ({ ...emptyProfile('x').policy, allow_overrides: true, ...fields });
    const base = profile('base', { policy: policy({ allowed_override_keys: ['tools', 'system_prompt'], denied_override_keys: ['middlewares'] }) });
    const leaf = profile('leaf', {
      stack: [{ profile_slug: 'base' }],
      policy: policy({ allowed_override_keys: ['system_prompt', 'step_settings_patch'], read_only: true }),
    });
    expect(effectiveProfile('r', leaf, lookupOf(['r', base])).policy).toEqual({
      allow_overrides: true,
      allowed_override_keys: ['system_prompt'],
      denied_override_keys: ['middlewares'],
      read_only: true,
    });
    const locked = profile('locked', { stack: [{ profile_slug: 'leaf' }], policy: policy({ allow_overrides: false }) });
    expect(effectiveProfile('r', locked, lookupOf(['r', base], ['r', leaf])).policy.allow_overrides).toBe(false);
  });

  it('expands depth first from base to leaf, each profile once, across registries', () => {
    const root = profile('root');
    const left = profile('left', { stack: [{ registry_slug: 'shared', profile_slug: 'root' }] });
    const right = profile('right', { stack: [{ registry_slug: 'shared', profile_slug: 'root' }] });
    const leaf = profile('leaf', { stack: [{ profile_slug: 'left' }, { profile_slug: 'right' }] });
    const lineage = effectiveProfile('r', leaf, lookupOf(['shared', root], ['r', left], ['r', right])).lineage;
    expect(lineage).toEqual([
      { registry: 'shared', slug: 'root' },
      { registry: 'r', slug: 'left' },
      { registry: 'r', slug: 'right' },
      { registry: 'r', slug: 'leaf' },
    ]);
  });

  it('refuses a cycle, naming it', () => {
    const a = profile('a', { stack: [{ profile_slug: 'b' }] });
    const b = profile('b', { stack: [{ profile_slug: 'a' }] });
    expect(errorOf(() => effectiveProfile('r', a, lookupOf(['r', a], ['r', b])))).toBe(
      'validation: stack cycle detected: a -> b -> a',
    );
  });

  it('accepts a chain 32 deep and refuses 33', () => {
    const chain = (depth: number): [string, ProfileContent][] =>
      Array.from({ length: depth + 1 }, (_, i) => ['r', profile(`p${i}`, { stack: i === depth ? [] : [{ profile_slug: `p${i + 1}` }] })]);
    const ok = chain(32);
    expect(effectiveProfile('r', ok[0][1], lookupOf(...ok)).lineage).toHaveLength(33);
    const tooDeep = chain(33);
    expect(errorOf(() => effectiveProfile('r', tooDeep[0][1], lookupOf(...tooDeep)))).toBe('validation: stack depth exceeds 32');
  });

  it('refuses overrides the effective policy does not allow', () => {
    const effective = (policy: Partial<ProfileContent['policy']>) =>
      effectiveProfile('r', profile('p', { policy: { ...emptyProfile('p').policy, allow_overrides: true, ...policy } }), lookupOf());
    const message = 'validation: profile does not allow engine overrides';
    expect(errorOf(() => applyOverrides(effective({ allow_overrides: false }), { tools: ['x'] }))).toBe(message);
    expect(errorOf(() => applyOverrides(effective({ denied_override_keys: ['tools'] }), { tools: ['x'] }))).toBe(message);
    expect(errorOf(() => applyOverrides(effective({ allowed_override_keys: ['system_prompt'] }), { tools: ['x'] }))).toBe(message);
    expect(applyOverrides(effective({ allowed_override_keys: ['tools'] }), { tools: ['x'] }).tools).toEqual(['x']);
  });

  it('judges overrides as geppetto does: no policy refuses, keys compared canonically, an empty allow intersection allows all', () => {
    const message = 'validation: profile does not allow engine overrides';
    const unpolicied = effectiveProfile('r', profile('p'), lookupOf());
    expect(errorOf(() => applyOverrides(unpolicied, { tools: ['x'] }))).toBe(message);
    const open = (policy: Partial<ProfileContent['policy']>) => ({ ...emptyProfile('x').policy, allow_overrides: true, ...policy });
    const camel = effectiveProfile('r', profile('p', { policy: open({ denied_override_keys: ['systemPrompt'] }) }), lookupOf());
    expect(errorOf(() => applyOverrides(camel, { system_prompt: 'x' }))).toBe(message);
    expect(applyOverrides(camel, { tools: ['y'] }).tools).toEqual(['y']);
    const dashed = effectiveProfile('r', profile('p', { policy: open({ allowed_override_keys: ['step-settings-patch'] }) }), lookupOf());
    expect(applyOverrides(dashed, { step_settings_patch: { chat: { model: 'm' } } }).step_settings_patch).toEqual({ chat: { model: 'm' } });
    expect(errorOf(() => applyOverrides(dashed, { tools: ['x'] }))).toBe(message);
    // allow lists that share no key leave no allow list (geppetto's mergePolicyLayersRestrictive)
    const base = profile('base', { policy: open({ allowed_override_keys: ['tools'] }) });
    const leaf = profile('leaf', { stack: [{ profile_slug: 'base' }], policy: open({ allowed_override_keys: ['system_prompt'] }) });
    const merged = effectiveProfile('r', leaf, lookupOf(['r', base]));
    expect(merged.policy.allowed_override_keys).toEqual([]);
    expect(applyOverrides(merged, { middlewares: [{ name: 'm', enabled: true }] }).middlewares).toEqual([{ name: 'm', enabled: true }]);
  });
});
