/** How the server talks to PostgreSQL (flags of `serve` and the other commands). */
export interface PostgresSettings {
  /** Connections of the pool (reads and writes; LISTEN and the schema lock use one more each). */
  poolSize: number;
  /** A statement that runs longer is cancelled (the request gets a 503); 0 for no limit. */
  statementTimeoutMs: number;
  /** Shown in pg_stat_activity (followed by the role of the connection for the extra ones). */
  applicationName: string;
  /** How long to wait for a new connection before the request gets a 503. */
  connectTimeoutMs: number;
  /**
   * Reads may use a stream head checked up to this long ago, and every write waits this long after
   * its commit before it is acknowledged (so a read after the acknowledgment, on any instance, sees
   * it); 0 checks the head for every batch of reads. Every instance on a database must use the same.
   */
  readLeaseMs: number;
}

export const DEFAULT_POSTGRES_SETTINGS: PostgresSettings = {
  poolSize: 10,
  statementTimeoutMs: 10_000,
  applicationName: 'profile-registry',
  connectTimeoutMs: 5_000,
  readLeaseMs: 10,
};
