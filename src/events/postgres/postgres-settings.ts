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
}

export const DEFAULT_POSTGRES_SETTINGS: PostgresSettings = {
  poolSize: 10,
  statementTimeoutMs: 10_000,
  applicationName: 'profile-registry',
  connectTimeoutMs: 5_000,
};
