/**
 * The SQL that differs between the backends, as small pieces that shared SQL is assembled from.
 * Each backend provides one (sqlite/sqlite-flavour.ts, postgres/postgres-flavour.ts): no file
 * outside those folders asks which backend it runs on. Parameters are written `$1`, `$2`, ... in
 * every backend's SQL, so fragments that take one are told its name.
 */
export interface SqlFlavour {
  /** The backend's name, for logs only. */
  readonly name: string;
  /** The column type of 64-bit integers (positions, versions, times). */
  readonly bigint: string;
  /** A 64-bit integer primary key the database numbers, never reusing a number. */
  readonly serialKey: string;
  /**
   * DDL of what hands out event positions without gaps where the serial key can skip numbers
   * (PostgreSQL's sequences skip on rollback), run after the events table exists; none where the
   * database's own numbering is transactional (SQLite's AUTOINCREMENT).
   */
  readonly positionCounter?: string;
  /**
   * DDL of statistics `name` on expressions of `table` whose values depend on each other, where
   * the planner keeps such statistics (PostgreSQL's CREATE STATISTICS); none elsewhere.
   */
  dependentStatistics?(name: string, table: string, expressions: readonly string[]): string;
  /** `column` for `ORDER BY` in byte order, as JavaScript sorts strings (not the locale's order). */
  bySlug(column: string): string;
  /** The text at `key` of a JSON object stored as text in `column`. */
  jsonTextAt(column: string, key: string): string;
  /** The integer at `key` of a JSON object stored as text in `column`. */
  jsonIntegerAt(column: string, key: string): string;
  /**
   * Whether each event carries copies of its data's profile and version beside the text, written by
   * the append, for the profile index to read (see sql/profile-columns.ts): where an index entry read
   * from the text parses all of it (PostgreSQL's jsonb, once per indexed expression).
   */
  readonly eventProfileCopies?: boolean;
  /** `value` (a text expression) quoted as a JSON string. */
  jsonQuote(value: string): string;
  /** Text that holds JSON, as the column type that reads it as JSON (itself where there is none). */
  asJson(text: string): string;
  /** Rows `(first TEXT, second INTEGER)` from one parameter (`param`, e.g. `$1`) that is a JSON array of pairs. */
  pairsFromJsonParam(first: string, second: string, param: string): string;
  /**
   * What follows `SELECT ... FROM` to join each row of the subquery `rows` (as `w`) to the one row
   * of `table` (as `e`) that `condition` over both finds: a lookup in an index per row, never a
   * pass over the table.
   */
  eachRowJoinedToOne(rows: string, table: string, condition: string): string;
  /** `column` is one of the integers of one parameter (`param`), given as `integerListParam(values)`. */
  integerIn(column: string, param: string): string;
  integerListParam(values: readonly number[]): unknown;
  /** `column` is one of the texts of one parameter (`param`), given as `textListParam(values)`. */
  textIn(column: string, param: string): string;
  textListParam(values: readonly string[]): unknown;
  /**
   * `(SELECT <values joined by ','> FROM <from> WHERE <where>)`, the values in byte order of
   * `orderBy`; NULL when no row matches.
   */
  joinedInOrder(value: string, from: string, where: string, orderBy: string): string;
  /** What follows `LIKE $n` so that no character of the pattern escapes another. */
  readonly likeWithoutEscape: string;
  /** `CREATE [TEMP ]VIEW` that leaves an existing view (SQLite) or replaces it (PostgreSQL). */
  createView(temporary: boolean): string;
  /** A query of the columns of a table of the schema in use, one row `{ name }` each. */
  tableColumns(table: string): string;
  /** The text of a view as one row `{ sql }` (parameter `$1`: its name), where views of earlier releases may need rewriting. */
  readonly viewDefinition?: string;
  /**
   * Statements that read the file through a memory map and that let the map go, where the database
   * reads its pages with a system call each otherwise (SQLite): see readInMappedWindows.
   */
  readonly memoryMap?: { readonly on: string; readonly off: string };
  /**
   * JSON containment on an indexed JSON column, where the database has it (PostgreSQL's JSONB);
   * elsewhere containment is checked in JavaScript on the stored text.
   */
  readonly jsonContainment?: {
    /** DDL adding `column` (the JSON of text column `source`) and its index to `table`. */
    indexedColumn(table: string, source: string, column: string): string;
    /** `column` contains the JSON of one parameter (`param`). */
    contains(column: string, param: string): string;
  };
}
