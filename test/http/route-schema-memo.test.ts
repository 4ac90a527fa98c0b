import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { zodValidatorCompiler } from '../../src/http/route-schema.js';

type Validate = (data: unknown) => { value?: unknown; error?: Error };

const compiled = (schema: z.ZodType, httpPart: 'params' | 'querystring') =>
  zodValidatorCompiler({ schema, method: 'GET', url: '/memo', httpPart } as never) as unknown as Validate;

describe('the memo of parsed paths and queries', () => {
  it('serves the same values the same (frozen) result, and other values, names or orders their own', () => {
    const validate = compiled(z.object({ a: z.string().optional(), ab: z.string().optional(), b: z.string().optional() }), 'querystring');
    const first = validate({ a: 'bc' });
    expect(first).toEqual({ value: { a: 'bc' } });
    expect(Object.isFrozen(first.value)).toBe(true);
    expect(validate({ a: 'bc' })).toBe(first);
    expect(validate({ ab: 'c' })).toEqual({ value: { ab: 'c' } });
    expect(validate({ a: 'b', b: 'c' })).toEqual({ value: { a: 'b', b: 'c' } });
    expect(validate({ b: 'c', a: 'b' })).toEqual({ value: { b: 'c', a: 'b' } });
    expect(validate({})).toEqual({ value: {} });
    expect(validate({ a: 'bc' })).toBe(first);
  });

  it('keeps no refusal, and parses repeated or long values each time', () => {
    const validate = compiled(z.object({ slug: z.string().max(3) }), 'params');
    expect(validate({ slug: 'long' }).error).toBeDefined();
    expect(validate({ slug: 'long' }).error).toBeDefined();
    const long = 'x'.repeat(300);
    const loose = compiled(z.object({ q: z.string() }), 'querystring');
    expect(loose({ q: long })).not.toBe(loose({ q: long }));
    expect(loose({ q: ['a', 'b'] })).toEqual({ value: { q: 'b' } });
  });

  it('starts again past its size and still answers every value', () => {
    const validate = compiled(z.object({ slug: z.string() }), 'params');
    for (let i = 0; i < 600; i++) expect(validate({ slug: `s${i}` })).toEqual({ value: { slug: `s${i}` } });
    expect(validate({ slug: 's599' })).toBe(validate({ slug: 's599' }));
  });
});
