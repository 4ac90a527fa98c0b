import pg from 'pg';

/** Errors that say PostgreSQL is there but busy or restarting: the probe tries again. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', '57P03', '53300', '08006', '08001']);

const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // pg's own connection timeout and a server that hung up carry no code
  const message = error instanceof Error ? error.message : '';
  if (/timeout|terminated unexpectedly|Connection terminated/i.test(message)) return 'ETIMEDOUT';
  return undefined;
};

export interface ProbeOptions {
  /** PROFILE_REGISTRY_REQUIRE_PG=1 (CI): a refused connection fails instead of skipping. */
  required: boolean;
  attempts?: number;
  delayMs?: number;
  /** How the URL is shown in messages (no password). */
  shownUrl?: string;
}

/**
 * Whether PostgreSQL at `url` answers `SELECT 1`: undefined when it does, the reason to skip
 * when the connection is refused (nothing listens) and it is not required. A transient error
 * (reset, timeout, starting up, too many connections) is tried again; one that outlives the
 * attempts, or any other error, throws: the tests that need it fail, they are never skipped.
 */
export const probePostgres = async (url: string, options: ProbeOptions): Promise<string | undefined> => {
  const attempts = options.attempts ?? 6;
  const shown = options.shownUrl ?? url;
  for (let attempt = 1; ; attempt += 1) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (error) {
      const code = errorCode(error);
      const detail = error instanceof Error ? error.message : String(error);
      if (code === 'ECONNREFUSED') {
        const reason = `PostgreSQL at ${shown} is unreachable (${detail})`;
        if (options.required) throw new Error(`PostgreSQL is required (PROFILE_REGISTRY_REQUIRE_PG=1) but ${reason}`);
        return reason;
      }
      if (code === undefined || !TRANSIENT_CODES.has(code) || attempt >= attempts) {
        throw new Error(`PostgreSQL at ${shown} answered with an error after ${attempt} attempt(s), so its tests fail rather than skip: ${detail}`);
      }
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, (options.delayMs ?? 250) * 2 ** (attempt - 1)));
  }
};
