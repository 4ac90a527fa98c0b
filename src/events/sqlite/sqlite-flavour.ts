import type { SqlFlavour } from '../sql-flavour.js';

/** SQLite's pieces of SQL (see SqlFlavour). */
export const SQLITE_FLAVOUR: SqlFlavour = {
  name: 'sqlite',
  bigint: 'INTEGER',
  serialKey: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  // SQLite compares TEXT with BINARY, byte order, unless told otherwise
  bySlug: (column) => column,
  jsonTextAt: (column, key) => `json_extract(${column}, '$.${key}')`,
  jsonIntegerAt: (column, key) => `json_extract(${column}, '$.${key}')`,
  jsonQuote: (value) => `json_quote(${value})`,
  asJson: (text) => text,
  pairsFromJsonParam: (first, second, param) =>
    `SELECT json_extract(value, '$[0]') AS ${first}, json_extract(value, '$[1]') AS ${second} FROM json_each(${param})`,
  // CROSS JOIN keeps SQLite's planner on the rows first, each looked up in the table's index
  eachRowJoinedToOne: (rows, table, condition) => `(${rows}) w CROSS JOIN ${table} e WHERE ${condition}`,
  integerIn: (column, param) => `${column} IN (SELECT value FROM json_each(${param}))`,
  integerListParam: (values) => JSON.stringify(values),
  textIn: (column, param) => `${column} IN (SELECT value FROM json_each(${param}))`,
  textListParam: (values) => JSON.stringify(values),
  // group_concat(... ORDER BY ...) needs 3.44, and the floor is 3.37 (Debian 12 ships 3.40), so it
  // concatenates a subquery that is ordered: SQLite never flattens an ordered subquery into an
  // aggregate (see its query flattener) and reads the rows in that order.
  joinedInOrder: (value, from, where, orderBy) => `(SELECT group_concat(o.entry, ',') FROM (SELECT ${value} AS entry
            FROM ${from} WHERE ${where} ORDER BY ${orderBy}) o)`,
  likeWithoutEscape: '',
  createView: (temporary) => `CREATE ${temporary ? 'TEMP ' : ''}VIEW IF NOT EXISTS`,
  tableColumns: (table) => `SELECT name FROM pragma_table_info('${table}')`,
  viewDefinition: "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = $1",
  // SQLite maps at most SQLITE_MAX_MMAP_SIZE of a file (2 GiB - 64 KiB in better-sqlite3's build,
  // a larger size is cut to it); it reads the pages past it with a system call each, as before
  memoryMap: { on: 'PRAGMA mmap_size = 2147418112', off: 'PRAGMA mmap_size = 0' },
};
