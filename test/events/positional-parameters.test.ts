import { expect, it } from 'vitest';
import { positionalSql } from '../../src/events/sqlite/positional-parameters.js';

it('SQLite statements get their $n parameters as ? in order, a parameter used twice bound twice', () => {
  expect(positionalSql('SELECT a FROM t WHERE b = $2 AND c = $1 OR d = $2')).toEqual({
    sql: 'SELECT a FROM t WHERE b = ? AND c = ? OR d = ?',
    order: [1, 0, 1],
  });
  expect(positionalSql('INSERT INTO t VALUES ($10, $1)')).toEqual({ sql: 'INSERT INTO t VALUES (?, ?)', order: [9, 0] });
  expect(positionalSql('DELETE FROM t')).toEqual({ sql: 'DELETE FROM t', order: [] });
});

it('a $n inside quoted text, a quoted name or a comment is left as written', () => {
  const sql = `SELECT json_extract(x, '$.a'), '$1 it''s $2', "$3", [$4], \`$5\` -- $6
    FROM t /* $7 */ WHERE y = $8`;
  expect(positionalSql(sql)).toEqual({ sql: sql.replace('$8', '?'), order: [7] });
});
