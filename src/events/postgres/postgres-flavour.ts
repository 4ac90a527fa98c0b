import type { SqlFlavour } from '../sql-flavour.js';

const bytewise = (column: string): string => `${column} COLLATE "C"`;

/** PostgreSQL's pieces of SQL (see SqlFlavour). */
export const POSTGRES_FLAVOUR: SqlFlavour = {
  name: 'postgres',
  bigint: 'BIGINT',
  serialKey: 'BIGSERIAL PRIMARY KEY',
  // one row, moved inside the write transaction (so a rollback takes its numbers back), started
  // where the log ends; the append takes positions from it (see append-to-stream.ts). A start that
  // finds the row reads it and inserts nothing: ON CONFLICT alone would wait for a writer holding it
  positionCounter: `
CREATE TABLE IF NOT EXISTS event_positions (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_position BIGINT NOT NULL
);
INSERT INTO event_positions (id, last_position) SELECT 1, coalesce(max(position), 0) FROM events
  WHERE NOT EXISTS (SELECT 1 FROM event_positions) ON CONFLICT (id) DO NOTHING;
`,
  dependentStatistics: (name, table, expressions) =>
    `CREATE STATISTICS IF NOT EXISTS ${name} (mcv, dependencies) ON ${expressions.join(', ')} FROM ${table};`,
  bySlug: bytewise,
  // the profile index read from data_json parsed the whole text into jsonb twice per event: a third of an event's insert
  eventProfileCopies: true,
  jsonTextAt: (column, key) => `(${column}::jsonb ->> '${key}')`,
  jsonIntegerAt: (column, key) => `((${column}::jsonb ->> '${key}')::bigint)`,
  jsonQuote: (value) => `to_json(${value})::text`,
  asJson: (text) => `${text}::jsonb`,
  pairsFromJsonParam: (first, second, param) =>
    `SELECT value ->> 0 AS ${first}, (value ->> 1)::bigint AS ${second} FROM jsonb_array_elements(${param}::jsonb)`,
  // LATERAL looks each row up in the index; joined by hash instead (the planner's choice once a
  // stream has a few hundred events) it parsed the JSON of every event of the stream
  eachRowJoinedToOne: (rows, table, condition) =>
    `(${rows}) w CROSS JOIN LATERAL (SELECT * FROM ${table} e WHERE ${condition} LIMIT 1) e`,
  integerIn: (column, param) => `${column} = ANY(${param}::bigint[])`,
  integerListParam: (values) => values,
  textIn: (column, param) => `${column} = ANY(${param}::text[])`,
  textListParam: (values) => values,
  joinedInOrder: (value, from, where, orderBy) => `(SELECT string_agg(${value}, ',' ORDER BY ${bytewise(orderBy)})
            FROM ${from} WHERE ${where})`,
  // PostgreSQL's LIKE escapes with a backslash unless told otherwise
  likeWithoutEscape: " ESCAPE ''",
  createView: (temporary) => `CREATE OR REPLACE ${temporary ? 'TEMP ' : ''}VIEW`,
  tableColumns: (table) =>
    `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${table}'`,
  jsonContainment: {
    // jsonb_path_ops: one entry per value, hashed with its path (jsonb_ops makes one per key and one
    // per value), so a write inserts fewer; it answers @> only, the one operator asked of it. The
    // jsonb_ops index of earlier releases is dropped (a server of those adds it back beside this one).
    indexedColumn: (table, source, column) =>
      `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} JSONB GENERATED ALWAYS AS (${source}::jsonb) STORED;
DROP INDEX IF EXISTS ${table}_profile_gin;
CREATE INDEX IF NOT EXISTS ${table}_profile_path_gin ON ${table} USING GIN (${column} jsonb_path_ops);`,
    contains: (column, param) => `${column} @> ${param}::jsonb`,
  },
};
