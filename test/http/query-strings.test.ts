import { parse } from 'fast-querystring';
import { describe, expect, it } from 'vitest';
import { memoizedQueryParser } from '../../src/http/query-strings.js';

const QUERIES = [
  'registry=field-sales',
  'registry=field-sales&reveal=secrets',
  'a=1&a=2&b=3',
  'a&b=&=c',
  'x=a+b%20c&y=%zz&%41=1',
  'registry=a&registry=b',
  'k=' + 'v'.repeat(300),
];

describe('the memoized query string parser', () => {
  it("answers what Fastify's default parser answers, the first time and from its memo", () => {
    const parseQuery = memoizedQueryParser();
    for (let round = 0; round < 2; round++) {
      for (const query of QUERIES) expect({ ...parseQuery(query) }).toEqual({ ...parse(query) });
      expect(parseQuery('')).toEqual({});
    }
  });

  it('keeps a query of strings, frozen, and parses repeated names and long queries each time', () => {
    const parseQuery = memoizedQueryParser();
    const first = parseQuery('registry=field-sales');
    expect(parseQuery('registry=field-sales')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const repeated = parseQuery('a=1&a=2');
    expect(parseQuery('a=1&a=2')).not.toBe(repeated);
    expect(Object.isFrozen(repeated)).toBe(false);
    const long = 'k=' + 'v'.repeat(300);
    expect(parseQuery(long)).not.toBe(parseQuery(long));
    expect(parseQuery('')).not.toBe(parseQuery(''));
  });

  it('answers every query past its last entries', () => {
    const parseQuery = memoizedQueryParser();
    for (let i = 0; i < 1000; i++) expect(parseQuery(`registry=r${i % 300}`)).toEqual({ ...parse(`registry=r${i % 300}`) });
  });
});
