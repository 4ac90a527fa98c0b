/**
 * The statements of a script such as a schema's, split where a line ends with `;` (how every
 * script of this project is written; none has a `;` at a line's end inside a literal or a body).
 *
 * Why: PostgreSQL runs a multi-statement text in one implicit transaction, so each lock a
 * statement takes is held until the last one ends. A starting instance's `CREATE INDEX IF NOT
 * EXISTS` on one table, held while a later statement waited on another instance's write that in
 * turn waited on that table, was a deadlock. One statement at a time holds one lock at a time.
 */
export const splitStatements = (script: string): string[] =>
  script
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
