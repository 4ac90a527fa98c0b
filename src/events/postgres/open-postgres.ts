import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { DatabaseUnavailable, isDatabaseUnavailable } from '../database-unavailable.js';
import { createMutex, sqlTransactionOf, type SqlDatabase, type SqlExecutor, type SqlStatements, type SqlTransaction } from '../sql-database.js';
import { createCommitListener } from './commit-listener.js';
import { commitWait, createHeadReader } from './head-reader.js';
import { createStreamHeadGuesses, type StreamHeadGuesses } from './append-to-stream.js';
import { postgresEventStore } from './postgres-event-store.js';
import { POSTGRES_FLAVOUR } from './postgres-flavour.js';
import { hasProfileCopies } from '../sql/profile-columns.js';
import type { SqlFlavour } from '../sql-flavour.js';
import { DEFAULT_POSTGRES_SETTINGS, type PostgresSettings } from './postgres-settings.js';
import { SCHEMA_LOCK_KEY } from './postgres-schema.js';
import { pgDriver } from './pg-driver.js';
import { splitStatements } from './split-statements.js';

/** Errors that say the server is not there (rather than that the statement is wrong). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
  '57014', // query_canceled (statement timeout)
]);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection error|timeout exceeded when trying to connect|not queryable/i;

const isConnectionFailure = (error: unknown): boolean => {
  if (isDatabaseUnavailable(error)) return true;
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message);
};

const unavailableOr = (error: unknown): unknown =>
  !isDatabaseUnavailable(error) && isConnectionFailure(error) ? new DatabaseUnavailable(error) : error;

const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw unavailableOr(error);
  }
};

interface Queryable {
  query(text: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult>;
  /** Sends a statement without waiting for its answer (see `pipelined`); where absent, `write` waits. */
  send?(query: string | pg.QueryConfig, values?: unknown[]): Promise<void>;
}

/**
 * Names for the statements of write transactions: a connection parses and plans a named
 * statement once, then only binds and runs it (the write path sends the same few statements over
 * and over). At most `MAX_NAMED` texts are named; others (never seen on the write path) go unnamed.
 */
const MAX_NAMED = 500;
const statementNames = new Map<string, string>();
const named = (text: string, values: unknown[]): pg.QueryConfig | string => {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED) {
    name = `pr_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name === undefined ? text : { name, text, values };
};

const statementsOf = (client: Queryable, flavour: SqlFlavour, prepare = false): SqlStatements => {
  const query = (sql: string, params: readonly unknown[]) => (prepare ? client.query(named(sql, [...params])) : client.query(sql, [...params]));
  return {
    flavour,
    run: (sql, params = []) => guarded(async () => (await query(sql, params)).rowCount ?? 0),
    get: <T>(sql: string, params: readonly unknown[] = []) => guarded(async () => (await query(sql, params)).rows[0] as T | undefined),
    all: <T>(sql: string, params: readonly unknown[] = []) => guarded(async () => (await query(sql, params)).rows as T[]),
    // pg's QueryConfig type leaves out rowMode, which its query takes
    rows: (sql, params = []) => guarded(async () => (await client.query({ text: sql, values: [...params], rowMode: 'array' } as pg.QueryConfig)).rows as unknown[][]),
    write: (sql, params = []) =>
      guarded(async () => {
        if (client.send === undefined) await query(sql, params);
        else if (prepare) await client.send(named(sql, [...params]));
        else await client.send(sql, [...params]);
      }),
    exec: (sql) =>
      guarded(async () => {
        for (const statement of splitStatements(sql)) await client.query(statement);
      }),
  };
};

const executorOf = (client: Queryable, flavour: SqlFlavour, options: { prepare?: boolean; guesses?: StreamHeadGuesses } = {}): SqlExecutor => {
  const statements = statementsOf(client, flavour, options.prepare);
  return { ...statements, events: postgresEventStore(statements, options.guesses) };
};

const SENT_AHEAD = /^(BEGIN|SAVEPOINT \w+)$/;
const RELEASE = /^RELEASE SAVEPOINT \w+$/;
const TAKES_BACK = /^ROLLBACK TO SAVEPOINT \w+$/;
const NO_ROWS = { rows: [], rowCount: 0 } as unknown as pg.QueryResult;
/** Statements sent ahead at most before a write waits for their answers (a rebuild writes thousands in a row). */
const MAX_AHEAD = 256;
/**
 * Bytes of statements held in the corked socket before they go out within the tick: a batch run
 * ahead builds all its commands in one tick, and held to its end the backend would start on the
 * first only after the process built the last, instead of beside it on the other core.
 */
const FLUSH_BYTES = 16 * 1024;

/**
 * A write transaction's connection (in pipeline mode: statements go out without waiting for the
 * answers before them) that waits for an answer only where someone needs one. `BEGIN`,
 * `SAVEPOINT`, `RELEASE SAVEPOINT` and `write`s are sent ahead; the next statement that is
 * waited for waits for them too and throws the first one's error. A `RELEASE` first waits for
 * what its savepoint sent ahead (a savepoint's writes have all succeeded when it is released), so
 * a failed write is thrown inside its own savepoint; `ROLLBACK TO SAVEPOINT` takes back what was
 * sent ahead without looking at it, and `COMMIT` throws the error of any (PostgreSQL then rolls
 * back). So a savepoint costs no round trip of its own, nor does a write of the projection.
 */
const pipelined = (client: Queryable, socket?: Writable): Queryable => {
  let ahead: Promise<{ error: unknown } | undefined>[] = [];
  // pg writes each statement with a system call of its own: those sent in one tick go out in one
  let corked = false;
  const uncork = () => {
    corked = false;
    socket?.uncork();
  };
  const sent = (text: string | pg.QueryConfig, values?: unknown[]) => {
    if (socket && !corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    const result = client.query(text, values);
    if (socket && socket.writableLength >= FLUSH_BYTES) {
      // still corked until the tick's uncork: this only lets what is held go
      socket.uncork();
      socket.cork();
    }
    return result;
  };
  const answered = async () => {
    const waiting = ahead;
    ahead = [];
    for (const answer of waiting) {
      const failed = await answer;
      if (failed) throw failed.error;
    }
  };
  const send = async (text: string | pg.QueryConfig, values?: unknown[]) => {
    ahead.push(sent(text, values).then(() => undefined, (error: unknown) => ({ error })));
    if (ahead.length >= MAX_AHEAD) await answered();
  };
  return {
    send,
    query: async (text, values) => {
      if (typeof text === 'string' && values === undefined) {
        if (SENT_AHEAD.test(text)) {
          await send(text);
          return NO_ROWS;
        }
        if (RELEASE.test(text)) {
          await answered();
          await send(text);
          return NO_ROWS;
        }
        if (TAKES_BACK.test(text)) ahead = [];
      }
      const result = sent(text, values);
      try {
        await answered();
      } catch (error) {
        await result.catch(() => undefined);
        throw error;
      }
      return result;
    },
  };
};

/**
 * Rows past 2 kB (a profile's document, an event's data) are compressed when written, by pglz
 * unless the session says otherwise: pglz was a sixth of the backend's CPU per PATCH, lz4 costs a
 * fraction of it. Reads decompress either. A server without lz4 (before 14, or built without it) keeps pglz.
 */
const LZ4_TOAST = `SELECT set_config('default_toast_compression', 'lz4', false) FROM pg_settings
                   WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)`;

/** Write transactions of every instance take this lock (with the schema's key), so positions commit in order. */
const APPEND_LOCK_KEY = 0x70726567; // "preg"

/** The DSN without its password, for logs. */
export const redactDsn = (connectionString: string): string =>
  connectionString.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1@').replace(/([?&]password=)[^&]*/gi, '$1***');

/**
 * The DSN without its `options` parameter, and that parameter: pg lets the DSN's `options` win over
 * the client's, so the schema in use (`-c search_path=`) is appended to them instead, and wins over
 * a search_path they set.
 */
const splitOptions = (connectionString: string): { withoutOptions: string; options?: string } => {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return { withoutOptions: connectionString };
  }
  const options = url.searchParams.get('options') ?? undefined;
  if (options === undefined) return { withoutOptions: connectionString };
  url.searchParams.delete('options');
  return { withoutOptions: url.toString(), options };
};

/** What the schema in use is called, its lock key and the channel its commits are announced on. */
interface SchemaIdentity {
  schema: string;
  key: number;
  channel: string;
}

/**
 * PostgreSQL through a pool. With `readonly` (operator commands that only read), a transaction
 * sees one snapshot and takes no lock. Otherwise each write transaction holds a transaction-scoped advisory lock:
 * events get their global positions in commit order, so a reader that saw position N never
 * later finds a smaller position appear (the change feed relies on it). Each also sends a NOTIFY,
 * which PostgreSQL delivers on commit to the other instances' listeners.
 */
export const openPostgres = (
  connectionString: string,
  settings: Partial<PostgresSettings> & { schema?: string; readonly?: boolean } = {},
): SqlDatabase => {
  const { readonly, ...given } = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as typeof settings;
  const { poolSize, statementTimeoutMs, applicationName, connectTimeoutMs, readLeaseMs } = { ...DEFAULT_POSTGRES_SETTINGS, ...given };
  const { withoutOptions, options: dsnOptions } = splitOptions(connectionString);
  const sessionOptions = [dsnOptions, settings.schema ? `-c search_path=${settings.schema}` : undefined].filter(Boolean).join(' ');
  const clientConfig = (role: string, statementTimeout = statementTimeoutMs): pg.ClientConfig => ({
    connectionString: withoutOptions,
    application_name: role ? `${applicationName} ${role}` : applicationName,
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
    ...(statementTimeout > 0 ? { statement_timeout: statementTimeout } : {}),
    ...(sessionOptions ? { options: sessionOptions } : {}),
  });
  const pool = new (pgDriver().Pool)({ ...clientConfig(''), max: poolSize, pipeline: true });
  // A client whose server went away emits 'error' (the pool's, when idle; its own, when checked
  // out between two queries): without listeners Node would exit. Its next query fails instead.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    // queued before the statements of whoever asked for the connection
    client.query(LZ4_TOAST).catch(() => undefined);
  });
  // the database's own: a read-only open of an earlier release's events reads them without the copies (readEventLayout)
  const flavour = { ...POSTGRES_FLAVOUR };
  const readExecutor = executorOf(pool, flavour);
  const exclusive = createMutex();
  const instanceId = randomUUID();
  const guesses: StreamHeadGuesses = createStreamHeadGuesses();

  let identity: Promise<SchemaIdentity> | undefined;
  const schemaIdentity = (): Promise<SchemaIdentity> => {
    identity ??= readExecutor
      .get<SchemaIdentity>(
        `SELECT current_schema() AS schema, hashtext(current_schema()) AS key,
                'profile_registry_' || md5(current_schema()) AS channel`,
      )
      .then((row) => row as SchemaIdentity);
    identity.catch(() => (identity = undefined));
    return identity;
  };

  const commitListener = createCommitListener({
    connect: async () => {
      const client = new (pgDriver().Client)(clientConfig('listener', 0));
      const { channel } = await schemaIdentity();
      return { client, channel };
    },
    ignorePayload: instanceId,
  });
  // a named statement: each connection parses and plans it once (it runs for every batch of reads)
  // (a read-only process writes nothing that others must wait for, so it takes no lease either)
  const leaseMs = readonly ? 0 : readLeaseMs;
  const headReader = createHeadReader(
    () =>
      guarded(async () => {
        const result = await pool.query({ name: 'profile-registry-head', text: 'SELECT coalesce(max(position), 0) AS head FROM events' });
        return Number(result.rows[0]?.head ?? 0);
      }),
    { leaseMs },
  );

  return {
    ...readExecutor,
    location: redactDsn(connectionString),
    durableCommits: true,
    runsAhead: true,
    readEventLayout: async () => {
      flavour.eventProfileCopies = await hasProfileCopies(readExecutor);
    },
    changeMarker: headReader.marker,
    // the commit such a read saw was at most now: wait as its writer did
    settleBeforeAcknowledging: () => commitWait(performance.now(), leaseMs),
    onExternalCommit: commitListener.subscribe,
    withSchemaLock: async <T>(fn: () => Promise<T>) => {
      // a client of its own, without statement timeout: another instance may upgrade for long
      // (the key is the one around creating the schema: see resolvePostgresSchema)
      const client = new (pgDriver().Client)(clientConfig('schema', 0));
      client.on('error', () => undefined);
      await guarded(() => client.connect());
      try {
        await guarded(() => client.query('SELECT pg_advisory_lock($1, hashtext(current_schema()))', [SCHEMA_LOCK_KEY]));
        return await fn();
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    transaction: async <T>(fn: (tx: SqlTransaction) => Promise<T>, afterCommit?: () => void) => {
      const result = await exclusive(async () => {
        const { key, channel } = await schemaIdentity();
        const pooled = await guarded(() => pool.connect());
        const client = pipelined(pooled, (pooled as unknown as { connection?: { stream?: Writable } }).connection?.stream);
        let broken: Error | undefined;
        try {
          if (readonly) {
            // one snapshot, no lock that would hold the writers back; only temporary tables are written
            await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
          } else {
            await client.query('BEGIN');
            // the NOTIFY is queued now and delivered by PostgreSQL only if the transaction commits
            await client.query('SELECT pg_advisory_xact_lock($1, $2), pg_notify($3, $4)', [APPEND_LOCK_KEY, key, channel, instanceId]);
          }
          const value = await fn(sqlTransactionOf(executorOf(client, flavour, { prepare: true, guesses })));
          // an aborted transaction (a statement failed that no savepoint took back) "commits" as a rollback
          if ((await client.query('COMMIT')).command !== 'COMMIT') throw new Error('the write transaction failed and was rolled back');
          headReader.expire();
          return { value, committedAt: performance.now() };
        } catch (error) {
          if (isConnectionFailure(error)) broken = error as Error;
          else await pooled.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
          throw unavailableOr(error);
        } finally {
          pooled.release(broken);
        }
      });
      afterCommit?.();
      // other instances may serve reads under a lease of leaseMs: acknowledge once it has run out
      if (!readonly) await commitWait(result.committedAt, leaseMs);
      return result.value;
    },
    close: async () => {
      await exclusive(async () => undefined);
      await commitListener.close();
      await pool.end();
    },
  };
};
