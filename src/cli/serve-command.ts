import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_POSTGRES_SETTINGS } from '../events/postgres/postgres-settings.js';
import { readTokensFile } from '../http/auth/tokens-file.js';
import { buildApp } from '../http/build-app.js';
import { readSigningKeys } from './signing-keys-option.js';
import {
  checkChainBeforeWrites,
  checkChainInBackground,
  checkLogBeforeServing,
  checkServeIntegrityFlags,
  serveIntegrityOptions,
  startServerCheckpoints,
  type ServeIntegrityFlags,
} from './serve-integrity.js';
import { seedDefaultRegistry } from '../use-cases/seed-default-registry.js';
import { databaseLocation, databaseOptions, type DatabaseFlags } from './database-options.js';
import { openWritableStore, sqlitePathOf } from './cli-store.js';
import { checkServeBackupFlags, serveBackupOptions, startServeBackups, type ServeBackupFlags } from './serve-backups.js';
import { requireFreePort } from './port-check.js';
import { turnOffPretenuring } from './pretenuring.js';
import { keepTickObjectMaps } from './tick-object-maps.js';
import { stopWhenLauncherExits } from './launcher-watch.js';
import { checkExposure, securityOptions, securitySettings, type SecurityFlags } from './security-options.js';
import { secretKeyOptions } from './secret-options.js';

const parsePort = (value: string): number => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return port;
};

/** How long SIGTERM waits for in-flight requests before it cuts the connections still open. */
const SHUTDOWN_GRACE_MS = 10_000;

interface ServeFlags extends DatabaseFlags, SecurityFlags, ServeIntegrityFlags, ServeBackupFlags {
  host: string;
  port: number;
  logLevel: string;
  seed: boolean;
}

export const serveCommand = (): Command =>
  secretKeyOptions(serveBackupOptions(serveIntegrityOptions(securityOptions(databaseOptions(new Command('serve').description('serve the HTTP API'), { statementTimeoutMs: DEFAULT_POSTGRES_SETTINGS.statementTimeoutMs })))))
    .addOption(new Option('--host <host>', 'address to listen on').env('HOST').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on').env('PORT').default(8080).argParser(parsePort))
    .addOption(
      new Option('--log-level <level>', 'pino log level')
        .env('LOG_LEVEL')
        .default('info')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    )
    .option('--no-seed', 'do not seed an empty store with registry "default" / profile "default"')
    .action(async (flags: ServeFlags) => {
      checkExposure(flags);
      turnOffPretenuring();
      keepTickObjectMaps();
      // a bad tokens file, bad keys or a busy port stop the start before anything is opened or created
      if (flags.authTokensFile !== undefined) readTokensFile(flags.authTokensFile);
      const signingKeys = await readSigningKeys(flags);
      checkServeIntegrityFlags(flags, signingKeys);
      const sqlitePath = sqlitePathOf(databaseLocation(flags));
      checkServeBackupFlags(flags, sqlitePath);
      await requireFreePort(flags.host, flags.port);
      const store = await openWritableStore(flags, { mayCreate: true, signingKeys });
      const app = await buildApp({ store, logLevel: flags.logLevel, ...securitySettings(flags) }).catch(async (error: unknown) => {
        await store.close();
        throw error;
      });
      app.log.info({ database: store.db.location, backend: store.db.flavour.name }, 'database opened');
      try {
        await checkLogBeforeServing(store, flags, app.log);
      } catch (error) {
        await app.close();
        await store.close();
        throw error;
      }
      // a break found before the stop below exists is kept until it does
      let refused: string | undefined;
      let stopWith = (line: string) => void (refused ??= line);
      checkChainBeforeWrites(store, flags, app.log, (line) => stopWith(line));
      if (flags.authTokensFile === undefined && flags.insecureNoAuth) {
        app.log.warn({ host: flags.host }, 'authentication is off (--insecure-no-auth): anyone who reaches the port reads and changes every profile');
      }
      if (flags.authTokensFile !== undefined) process.on('SIGHUP', () => app.reloadAuthTokens());
      const writable = store.readOnly === undefined;
      if (writable && flags.seed && (await seedDefaultRegistry(store))) app.log.info('seeded registry "default" with profile "default"');
      const checkpoints = await startServerCheckpoints(store, flags, signingKeys, app.log);
      const backups = startServeBackups(flags, sqlitePath, app.log);
      let stopping = false;
      const stop = async (signal: string, exitCode = 0) => {
        if (stopping) return;
        stopping = true;
        app.log.info({ signal }, 'shutting down: finishing in-flight requests');
        // Node closes only the keep-alive connections idle when the close begins; those still
        // answering then go idle later and would hold the process open, so keep reaping them
        const reaper = setInterval(() => app.server.closeIdleConnections(), 50);
        // a client that never finishes its request must not keep the process alive forever
        const deadline = setTimeout(() => {
          app.log.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'closing connections still open after the grace period');
          app.server.closeAllConnections();
        }, SHUTDOWN_GRACE_MS);
        await app.close();
        await checkpoints?.close();
        await backups?.close();
        clearInterval(reaper);
        clearTimeout(deadline);
        await store.close();
        process.exit(exitCode);
      };
      // the chain check of before-writes found a break: every write is refused already; stop as before-listen would not have started
      stopWith = (line) => {
        process.stderr.write(`profile-registry: ${line}\n`);
        void stop('integrity', 1);
      };
      if (refused !== undefined) stopWith(refused);
      process.on('SIGTERM', () => void stop('SIGTERM'));
      process.on('SIGINT', () => void stop('SIGINT'));
      stopWhenLauncherExits((reason) => void stop(reason));
      const address = await app.listen({ host: flags.host, port: flags.port });
      app.log.info({ address, database: store.db.location }, 'profile-registry listening');
      checkChainInBackground(store, flags, app.log);
    });
