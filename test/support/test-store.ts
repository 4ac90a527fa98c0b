import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openDatabase } from '../../src/events/open-database.js';
import { buildApp, type AppOptions } from '../../src/http/build-app.js';
import { createRegistryStore, type RegistryStore, type RegistryStoreOptions } from '../../src/use-cases/registry-store.js';
import { createTestSchema, PG_URL } from './postgres.js';
import { recordAnswers, recordedLogStream } from './transcript.js';

export type Backend = 'sqlite' | 'postgres';

export interface TestStore {
  store: RegistryStore;
  dbPath?: string;
  close: () => Promise<void>;
  /** The command-line flags that name this database (for `profile-registry <command>`). */
  cliDatabaseArgs: string[];
  /** Opens a second store on the same database (as a restart would). */
  reopen: () => Promise<RegistryStore>;
}

export const tempDir = (): { dir: string; remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'profile-registry-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
};

/** A store on a real SQLite file in a temp folder, or on a fresh PostgreSQL schema. */
export const openTestStore = async (backend: Backend = 'sqlite', options: RegistryStoreOptions = {}): Promise<TestStore> => {
  if (backend === 'sqlite') {
    const { dir, remove } = tempDir();
    const dbPath = join(dir, 'profiles.db');
    const open = () => createRegistryStore(openDatabase({ path: dbPath }), options);
    const store = await open();
    const opened: RegistryStore[] = [store];
    return {
      store,
      dbPath,
      cliDatabaseArgs: ['--profile-registry-db', dbPath],
      reopen: async () => {
        const another = await open();
        opened.push(another);
        return another;
      },
      close: async () => {
        for (const each of opened) await each.close().catch(() => undefined);
        remove();
      },
    };
  }
  const { schema, drop } = await createTestSchema();
  const open = () => createRegistryStore(openDatabase({ dsn: PG_URL, schema }), options);
  const store = await open();
  const opened: RegistryStore[] = [store];
  return {
    store,
    cliDatabaseArgs: ['--profile-registry-dsn', `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`],
    reopen: async () => {
      const another = await open();
      opened.push(another);
      return another;
    },
    close: async () => {
      for (const each of opened) await each.close().catch(() => undefined);
      await drop();
    },
  };
};

export interface TestApp extends TestStore {
  app: FastifyInstance;
}

/**
 * buildApp as the tests use it: logs at info (unless a test asks otherwise) go to memory, and they
 * and every answer are recorded for the whole run's secret leak check (transcript.ts).
 */
export const buildTestApp = async (options: AppOptions): Promise<FastifyInstance> => {
  const app = await buildApp({ logLevel: 'info', ...options, logStream: recordedLogStream(options.logStream) });
  recordAnswers(app);
  return app;
};

export const openTestApp = async (
  backend: Backend = 'sqlite',
  options: RegistryStoreOptions = {},
  appOptions: Partial<AppOptions> = {},
): Promise<TestApp> => {
  const testStore = await openTestStore(backend, options);
  const app = await buildTestApp({ store: testStore.store, ...appOptions });
  await app.ready();
  return {
    ...testStore,
    app,
    close: async () => {
      await app.close();
      await testStore.close();
    },
  };
};

/** A clock that moves one second per reading, so times in history are exact. */
export const steppingClock = (startMs = 1_771_880_000_000, stepMs = 1000) => {
  let now = startMs - stepMs;
  return () => (now += stepMs);
};
