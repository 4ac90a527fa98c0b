import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { parseExtensionKey, parseSlug, requireProfileSlug, requireRegistrySlug } from '../../src/domain/slug.js';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return { code: (error as DomainError).code, message: (error as DomainError).message };
  }
  return undefined;
};

describe('slugs', () => {
  it('are trimmed and lower-cased', () => {
    expect(parseSlug('  Analyst ')).toBe('analyst');
    expect(parseSlug('Team.Finance_2-B')).toBe('team.finance_2-b');
  });

  it('are 1 to 128 characters', () => {
    expect(parseSlug('a')).toBe('a');
    expect(parseSlug('a'.repeat(128))).toBe('a'.repeat(128));
    expect(parseSlug('a'.repeat(129))).toBeUndefined();
    expect(parseSlug('')).toBeUndefined();
    expect(parseSlug('   ')).toBeUndefined();
  });

  it('start and end with a letter or digit and hold only [a-z0-9._-]', () => {
    for (const bad of ['-a', 'a-', '.a', 'a.', '_a', 'a b', 'a/b', 'é', 'a?b', 'a@v1']) expect(parseSlug(bad), bad).toBeUndefined();
    for (const good of ['0', 'a-b', 'a..b', 'x_1.y-2']) expect(parseSlug(good), good).toBe(good);
  });

  it('refuse non-strings', () => {
    expect(parseSlug(42)).toBeUndefined();
    expect(parseSlug(undefined)).toBeUndefined();
  });

  it('give the pinocchio messages when required', () => {
    expect(requireProfileSlug(' Fast ')).toBe('fast');
    expect(refusal(() => requireProfileSlug('bad slug'))).toEqual({ code: 'invalid_slug', message: 'invalid profile slug' });
    expect(refusal(() => requireRegistrySlug('-x'))).toEqual({ code: 'invalid_registry', message: 'invalid registry' });
  });
});

describe('extension keys', () => {
  it('are trimmed and lower-cased to namespace.feature@vN', () => {
    expect(parseExtensionKey(' Vendor.Custom@V1 ')).toBe('vendor.custom@v1');
    expect(parseExtensionKey('goose.privacy@v1')).toBe('goose.privacy@v1');
    expect(parseExtensionKey('a_b-c.d-e_f@v99999')).toBe('a_b-c.d-e_f@v99999');
  });

  it('limit each part to 1..64 characters and the version to 1..99999', () => {
    const part64 = `a${'b'.repeat(62)}c`;
    expect(parseExtensionKey(`${part64}.${part64}@v1`)).toBe(`${part64}.${part64}@v1`);
    expect(parseExtensionKey(`${part64}x.f@v1`)).toBeUndefined();
    expect(parseExtensionKey(`n.${part64}x@v1`)).toBeUndefined();
    expect(parseExtensionKey('n.f@v0')).toBeUndefined();
    expect(parseExtensionKey('n.f@v100000')).toBeUndefined();
    expect(parseExtensionKey('n.f@v01')).toBeUndefined();
  });

  it('refuse other shapes', () => {
    for (const bad of ['nf@v1', 'n.f', 'n.f@1', 'a.b.c@v1', '-n.f@v1', 'n.f-@v1', 'n f.x@v1', '.f@v1', 'n.@v1']) {
      expect(parseExtensionKey(bad), bad).toBeUndefined();
    }
  });
});
