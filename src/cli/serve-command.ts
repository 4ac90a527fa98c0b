import { Command, InvalidArgumentError, Option } from 'commander';
import { buildApp } from '../http/build-app.js';
import { openRegistryStore } from '../projections/registry-store.js';
import { seedDefaultRegistry } from '../projections/seed-default-registry.js';
import { databaseOptions, databaseLocation, type DatabaseFlags } from './database-options.js';

const parsePort = (value: string): number => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return port;
};

/** How long SIGTERM waits for in-flight requests before it cuts the connections still open. */
const SHUTDOWN_GRACE_MS = 10_000;

interface ServeFlags extends DatabaseFlags {
  host: string;
  port: number;
  logLevel: string;
  seed: boolean;
}

export const serveCommand = (): Command =>
  databaseOptions(new Command('serve').description('serve the HTTP API'))
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
      const store = await openRegistryStore(databaseLocation(flags));
      const app = await buildApp({ store, logLevel: flags.logLevel });
      app.log.info({ database: store.db.location, backend: store.db.dialect }, 'database opened');
      if (flags.seed && (await seedDefaultRegistry(store))) app.log.info('seeded registry "default" with profile "default"');
      let stopping = false;
      const stop = async (signal: string) => {
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
        clearInterval(reaper);
        clearTimeout(deadline);
        await store.close();
        process.exit(0);
      };
      process.on('SIGTERM', () => void stop('SIGTERM'));
      process.on('SIGINT', () => void stop('SIGINT'));
      const address = await app.listen({ host: flags.host, port: flags.port });
      app.log.info({ address, database: store.db.location }, 'profile-registry listening');
    });
