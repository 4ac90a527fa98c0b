/**
 * The SQL of a statement with its `$n` parameters made anonymous (`?`), and for each `?` in order
 * the index of its value among the `$n` values (`$1` is 0; one used twice is bound twice).
 * better-sqlite3 binds a named parameter (`$1` is one to SQLite) by looking its name up in an
 * object of values, which costs more than binding a list in order; the text is scanned once, when
 * the statement is prepared. Quoted text, quoted names and comments are left as they are.
 */
export interface PositionalSql {
  sql: string;
  order: number[];
}

const isDigit = (char: string | undefined) => char !== undefined && char >= '0' && char <= '9';
const isNameChar = (char: string | undefined) => char !== undefined && /[A-Za-z0-9_$]/.test(char);

/** Where the quoted text, quoted name or comment that starts at `at` ends (undefined: none starts there). */
const skipQuoted = (sql: string, at: number): number | undefined => {
  const char = sql[at];
  const endOf = (closing: string, from: number) => {
    const end = sql.indexOf(closing, from);
    return end < 0 ? sql.length : end + closing.length;
  };
  // a doubled quote inside quoted text ends one quoted piece and starts the next: the same result
  if (char === "'" || char === '"' || char === '`') return endOf(char, at + 1);
  if (char === '[') return endOf(']', at + 1);
  if (char === '-' && sql[at + 1] === '-') return endOf('\n', at + 2);
  if (char === '/' && sql[at + 1] === '*') return endOf('*/', at + 2);
  return undefined;
};

export const positionalSql = (sql: string): PositionalSql => {
  const order: number[] = [];
  let out = '';
  let copiedTo = 0;
  let at = 0;
  while (at < sql.length) {
    const skipped = skipQuoted(sql, at);
    if (skipped !== undefined) {
      at = skipped;
      continue;
    }
    if (sql[at] === '$' && isDigit(sql[at + 1]) && !isNameChar(sql[at - 1])) {
      let end = at + 1;
      while (isDigit(sql[end])) end += 1;
      if (!isNameChar(sql[end])) {
        out += `${sql.slice(copiedTo, at)}?`;
        order.push(Number(sql.slice(at + 1, end)) - 1);
        copiedTo = at = end;
        continue;
      }
    }
    at += 1;
  }
  return { sql: out + sql.slice(copiedTo), order };
};
