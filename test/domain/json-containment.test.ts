import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonContains } from '../../src/domain/json-containment.js';
import { PG_URL, postgresAvailable } from '../support/postgres.js';

/** [document, query, whether the document contains the query] as PostgreSQL's jsonb `@>` answers. */
export const CONTAINMENT_CASES: [unknown, unknown, boolean][] = [
  [{ a: 1, b: 2 }, { a: 1 }, true],
  [{ a: 1 }, { a: 1, b: 2 }, false],
  [{ a: 1 }, {}, true],
  [{ a: { b: { c: 'x', d: 1 } } }, { a: { b: { c: 'x' } } }, true],
  [{ a: { b: { c: 'x' } } }, { a: { b: { c: 'y' } } }, false],
  [{ a: { b: 1 } }, { b: 1 }, false],
  [{ a: 1 }, { a: 1.0 }, true],
  [{ a: 1 }, { a: '1' }, false],
  [{ a: 10 }, { a: 1e1 }, true],
  [{ a: true }, { a: true }, true],
  [{ a: true }, { a: false }, false],
  [{ a: false }, { a: 0 }, false],
  [{ a: null }, { a: null }, true],
  [{ a: 1 }, { a: null }, false],
  [{}, { a: null }, false],
  [{ a: null }, { a: {} }, false],
  [{ a: [1, 2, 3] }, { a: [3, 1] }, true],
  [{ a: [1, 2, 3] }, { a: [1, 1] }, true],
  [{ a: [1, 2] }, { a: [] }, true],
  [{ a: [1, 2] }, { a: [4] }, false],
  [{ a: [1, 2] }, { a: 1 }, false],
  [{ a: 1 }, { a: [1] }, false],
  [{ a: [{ n: 'x', e: true }, { n: 'y' }] }, { a: [{ n: 'x' }] }, true],
  [{ a: [{ n: 'x', e: true }, { n: 'y' }] }, { a: [{ n: 'y', e: true }] }, false],
  [{ a: [[1, 2], [3]] }, { a: [[2]] }, true],
  [{ a: [[1, 2], [3]] }, { a: [2] }, false],
  [{ a: [1, [2]] }, { a: [[2], 1] }, true],
  [{ a: ['x', null] }, { a: [null] }, true],
  [{ a: {} }, { a: [] }, false],
  [['a', 'b'], 'a', true],
  [['a', 'b'], 'c', false],
  [[['a']], 'a', false],
  ['a', 'a', true],
  ['a', ['a'], false],
  [[1, 2], [2], true],
  [[{ a: 1 }], { a: 1 }, false],
  [1, 1, true],
  [null, null, true],
  [{ a: 'é' }, { a: 'é' }, true],
];

describe('jsonContains follows jsonb @>', () => {
  it.each(CONTAINMENT_CASES)('%j @> %j is %s', (document, query, expected) => {
    expect(jsonContains(document, query)).toBe(expected);
  });
});

describe.runIf(postgresAvailable)('the cases are what PostgreSQL answers', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
  });
  afterAll(async () => client?.end());

  it('for every case of the table', async () => {
    const answers = [];
    for (const [document, query] of CONTAINMENT_CASES) {
      const row = await client.query('SELECT $1::jsonb @> $2::jsonb AS contains', [JSON.stringify(document), JSON.stringify(query)]);
      answers.push(row.rows[0].contains);
    }
    expect(answers).toEqual(CONTAINMENT_CASES.map(([, , expected]) => expected));
  });
});
