/** Options of a SQLite database, read from a path or a go-sqlite3 DSN (`file:PATH?_journal_mode=WAL&...`). */
export interface SqliteOptions {
  path: string;
  journalMode: string;
  busyTimeoutMs: number;
  foreignKeys: boolean;
  synchronous: string;
}

export const SQLITE_DEFAULTS: Omit<SqliteOptions, 'path'> = {
  journalMode: 'WAL',
  busyTimeoutMs: 5000,
  foreignKeys: true,
  synchronous: 'FULL',
};

const JOURNAL_MODES = new Set(['DELETE', 'TRUNCATE', 'PERSIST', 'MEMORY', 'WAL', 'OFF']);
const SYNCHRONOUS_MODES = new Set(['OFF', 'NORMAL', 'FULL', 'EXTRA', '0', '1', '2', '3']);

const truthy = (value: string): boolean => ['1', 'on', 'true', 'yes'].includes(value.toLowerCase());

/** `mysql://...`, `sqlserver:...`: a scheme (two letters or more, so `C:` stays a path) other than `file:`. */
const OTHER_SCHEME = /^([a-z][a-z0-9+.-]+):/i;

export const parseSqliteDsn = (dsn: string): SqliteOptions => {
  const scheme = OTHER_SCHEME.exec(dsn)?.[1];
  if (scheme !== undefined && scheme.toLowerCase() !== 'file') throw new Error(`unsupported DSN scheme "${scheme}"`);
  const withoutScheme = dsn.startsWith('file:') ? dsn.slice('file:'.length) : dsn;
  const queryStart = withoutScheme.indexOf('?');
  const path = queryStart === -1 ? withoutScheme : withoutScheme.slice(0, queryStart);
  if (path === '') throw new Error(`invalid SQLite DSN: no file path in "${dsn}"`);
  const options: SqliteOptions = { path, ...SQLITE_DEFAULTS };
  const params = new URLSearchParams(queryStart === -1 ? '' : withoutScheme.slice(queryStart + 1));
  for (const [key, value] of params) {
    switch (key) {
      case '_journal_mode':
      case '_journal': {
        const mode = value.toUpperCase();
        if (!JOURNAL_MODES.has(mode)) throw new Error(`invalid SQLite DSN: _journal_mode=${value}`);
        options.journalMode = mode;
        break;
      }
      case '_busy_timeout':
      case '_timeout': {
        const ms = Number(value);
        if (!Number.isInteger(ms) || ms < 0) throw new Error(`invalid SQLite DSN: _busy_timeout=${value}`);
        options.busyTimeoutMs = ms;
        break;
      }
      case '_foreign_keys':
      case '_fk':
        options.foreignKeys = truthy(value);
        break;
      case '_synchronous':
      case '_sync': {
        const mode = value.toUpperCase();
        if (!SYNCHRONOUS_MODES.has(mode)) throw new Error(`invalid SQLite DSN: _synchronous=${value}`);
        options.synchronous = mode;
        break;
      }
      default:
        break; // other go-sqlite3 parameters (cache, mode, _loc, ...) do not apply here
    }
  }
  return options;
};
