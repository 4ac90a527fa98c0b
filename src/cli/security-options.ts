import { isIP } from 'node:net';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_IDEMPOTENCY_TTL_MS } from '../http/idempotent-write.js';
import { DEFAULT_MAX_WATCHERS_PER_CLIENT } from '../http/routes/watch-routes.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, type SecurityOptions } from '../http/security.js';

const HOUR_MS = 60 * 60 * 1000;

export interface SecurityFlags {
  host: string;
  authTokensFile?: string;
  insecureNoAuth?: boolean;
  corsOrigin?: string[];
  publicDocsAndMetrics?: boolean;
  requestTimeoutMs: number;
  idempotencyTtlHours: number;
  maxWatchersPerClient: number;
}

const positive = (what: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`must be a ${what} greater than 0`);
  return number;
};

const positiveInteger = (value: string) => {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new InvalidArgumentError('must be an integer greater than 0');
  return number;
};

const origins = (value: string, previous: string[] | undefined) => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== ''),
];

/** The flags of API.md section 5 and of the hostile-input limits. */
export const securityOptions = (command: Command): Command =>
  command
    .addOption(
      new Option('--auth-tokens-file <file>', 'YAML or JSON list of {name, role, sha256, registries?}: bearer tokens are required').env(
        'PROFILE_REGISTRY_AUTH_TOKENS_FILE',
      ),
    )
    .addOption(new Option('--insecure-no-auth', 'listen beyond loopback without authentication (logged as a warning)'))
    .addOption(
      new Option('--cors-origin <origins>', 'origins allowed by CORS (comma-separated or repeated); CORS is off without it')
        .env('PROFILE_REGISTRY_CORS_ORIGIN')
        .argParser(origins),
    )
    .addOption(new Option('--public-docs-and-metrics', '/metrics, /openapi.json and /docs without a token (a reader token otherwise)'))
    .addOption(
      new Option('--request-timeout-ms <ms>', 'a request must arrive whole within this time (408 and cut off otherwise)')
        .default(DEFAULT_REQUEST_TIMEOUT_MS)
        .argParser(positive('number of milliseconds')),
    )
    .addOption(
      new Option('--idempotency-ttl-hours <hours>', 'how long an Idempotency-Key is remembered')
        .default(DEFAULT_IDEMPOTENCY_TTL_MS / HOUR_MS).argParser(positive('number of hours')),
    )
    .addOption(
      new Option('--max-watchers-per-client <n>', 'open change-feed connections per token (per address without auth); 429 past it')
        .default(DEFAULT_MAX_WATCHERS_PER_CLIENT)
        .argParser(positiveInteger),
    );

/** 127.0.0.0/8, ::1 and localhost. */
export const isLoopback = (host: string): boolean => {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return /^::ffff:127\./.test(bare);
};

/** Without a tokens file the server listens on loopback only, unless told `--insecure-no-auth`. */
export const checkExposure = (flags: SecurityFlags): void => {
  if (flags.authTokensFile !== undefined || flags.insecureNoAuth || isLoopback(flags.host)) return;
  throw new Error(
    `refusing to listen on ${flags.host} without authentication: give --auth-tokens-file FILE (or --insecure-no-auth to accept anyone)`,
  );
};

export const securitySettings = (flags: SecurityFlags): SecurityOptions => ({
  authTokensFile: flags.authTokensFile,
  corsOrigins: flags.corsOrigin,
  publicDocsAndMetrics: flags.publicDocsAndMetrics === true,
  requestTimeoutMs: flags.requestTimeoutMs,
  idempotencyTtlMs: flags.idempotencyTtlHours * HOUR_MS,
  maxWatchersPerClient: flags.maxWatchersPerClient,
});
