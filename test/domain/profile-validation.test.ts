import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { parseWith } from '../../src/domain/parse-input.js';
import { newProfileContent, type ProfileFieldsInput } from '../../src/domain/profile.js';
import { createProfileBodySchema, patchProfileBodySchema, patchRegistryBodySchema } from '../../src/domain/profile-schemas.js';

/** The refusal a create body gets: parsed at the edge, then normalized. */
const refusal = (body: Record<string, unknown>) => {
  try {
    const parsed = parseWith(createProfileBodySchema, { slug: 'p', ...body });
    newProfileContent(parsed.slug, parsed as ProfileFieldsInput);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    const { code, message, errors } = error as DomainError;
    return { code, message, errors };
  }
  return undefined;
};

describe('profile validation', () => {
  it('names the field of a blank tool', () => {
    expect(refusal({ runtime: { tools: ['search', '  '] } })).toEqual({
      code: 'validation',
      message: 'validation error (runtime.tools[1]): must not be blank',
      errors: [{ path: 'runtime.tools[1]', message: 'must not be blank' }],
    });
  });

  it('names the field of a value of the wrong type', () => {
    const refused = refusal({ runtime: { tools: [42] } });
    expect(refused?.code).toBe('validation');
    expect(refused?.message).toMatch(/^validation error \(runtime\.tools\[0\]\): /);
  });

  it('refuses a blank middleware name', () => {
    expect(refusal({ runtime: { middlewares: [{ name: 'agentmode' }, { name: ' ' }] } })?.message).toBe(
      'validation error (runtime.middlewares[1].name): must not be blank',
    );
  });

  it('refuses a duplicate or blank middleware id', () => {
    const middlewares = [
      { name: 'agentmode', id: 'primary' },
      { name: 'memory', id: ' primary ' },
    ];
    expect(refusal({ runtime: { middlewares } })?.message).toBe(
      'validation error (runtime.middlewares[1].id): duplicate middleware id "primary"',
    );
    expect(refusal({ runtime: { middlewares: [{ name: 'memory', id: '' }] } })?.message).toBe(
      'validation error (runtime.middlewares[0].id): must not be blank when set',
    );
  });

  it('refuses a key in both override lists', () => {
    expect(refusal({ policy: { allowed_override_keys: ['tools', 'system_prompt'], denied_override_keys: ['tools'] } })?.message).toBe(
      'validation error (policy): override key "tools" is both allowed and denied',
    );
  });

  it('refuses a bad extension key', () => {
    expect(refusal({ extensions: { 'vendor-custom': {} } })).toEqual({
      code: 'validation',
      message: 'validation error (extensions.vendor-custom): invalid extension key',
      errors: [{ path: 'extensions.vendor-custom', message: 'invalid extension key' }],
    });
  });

  it('refuses two keys that normalize to the same extension key', () => {
    expect(refusal({ extensions: { 'a.b@v1': 1, ' A.B@v1': 2 } })?.message).toBe(
      'validation error (extensions. A.B@v1): duplicate extension key "a.b@v1"',
    );
  });

  it('refuses a bad stack slug', () => {
    expect(refusal({ stack: [{ profile_slug: 'base' }, { profile_slug: 'bad slug' }] })?.message).toBe(
      'validation error (stack[1].profile_slug): invalid profile slug',
    );
    expect(refusal({ stack: [{ registry_slug: '-x', profile_slug: 'base' }] })?.message).toBe(
      'validation error (stack[0].registry_slug): invalid registry',
    );
  });

  it('refuses unknown fields, at the top and inside', () => {
    expect(refusal({ colour: 'red' })).toEqual({
      code: 'validation',
      message: 'validation error (colour): unknown field',
      errors: [{ path: 'colour', message: 'unknown field' }],
    });
    expect(refusal({ runtime: { temperature: 1 } })?.message).toBe('validation error (runtime.temperature): unknown field');
    expect(refusal({ policy: { readonly: true } })?.message).toBe('validation error (policy.readonly): unknown field');
    expect(() => parseWith(patchProfileBodySchema, { slug: 'renamed' })).toThrow('validation error (slug): unknown field');
    expect(() => parseWith(patchRegistryBodySchema, { profiles: {} })).toThrow('validation error (profiles): unknown field');
  });

  it('takes only tags from client metadata', () => {
    const parsed = parseWith(createProfileBodySchema, { slug: 'p', metadata: { version: 99, tags: [' a '], created_by: 'x' } });
    expect(newProfileContent('p', parsed as ProfileFieldsInput).tags).toEqual(['a']);
  });

  it('normalizes what it accepts', () => {
    const content = newProfileContent('p', {
      runtime: { tools: [' search '], middlewares: [{ name: ' agentmode ', id: ' primary ' }] },
      extensions: { ' Vendor.Custom@V1 ': { on: true } },
      stack: [{ registry_slug: ' Default ', profile_slug: ' Base ' }],
    });
    expect(content.runtime).toEqual({ tools: ['search'], middlewares: [{ name: 'agentmode', id: 'primary', enabled: true }] });
    expect(content.extensions).toEqual({ 'vendor.custom@v1': { on: true } });
    expect(content.stack).toEqual([{ registry_slug: 'default', profile_slug: 'base' }]);
    expect(content.policy).toEqual({ allow_overrides: false, allowed_override_keys: [], denied_override_keys: [], read_only: false });
  });
});
