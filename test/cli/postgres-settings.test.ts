import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactDsn } from '../../src/events/postgres/open-postgres.js';
import { createTestSchema, PG_URL, postgresAvailable } from '../support/postgres.js';
import { runCli } from '../support/run-cli.js';
import { startServer, type ServerProcess } from '../support/server-process.js';

describe('the DSN in logs', () => {
  it('never shows a password, in the authority or in the query', () => {
    expect(redactDsn('postgres://app:s3cret@db.internal:5432/registry')).toBe('postgres://app@db.internal:5432/registry');
    expect(redactDsn('postgresql://app@db:5432/r?sslmode=require&password=s3cret')).toBe(
      'postgresql://app@db:5432/r?sslmode=require&password=***',
    );
  });
});

describe('the statement timeout by command', () => {
  it('is 10 s for serve (requests) and none for the operator commands that span a whole store', async () => {
    const timeoutLine = async (command: string) =>
      (await runCli([command, '--help'])).stdout.replace(/\s+/g, ' ').match(/--pg-statement-timeout <ms>.*?\(default: (\d+)/)?.[1];
    expect(await timeoutLine('serve')).toBe('10000');
    for (const command of ['rebuild', 'verify', 'export', 'backup', 'restore', 'import']) expect(await timeoutLine(command), command).toBe('0');
  });
});

describe.runIf(postgresAvailable)('serve on PostgreSQL with pool and statement flags', () => {
  const applicationName = `preg-flags-${process.pid}-${Date.now().toString(36)}`;
  let server: ServerProcess;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const schema = await createTestSchema();
    drop = schema.drop;
    // trust authentication ignores the password: it is here to be kept out of the logs
    const dsn = `${PG_URL.replace('postgres://postgres@', 'postgres://postgres:hunter2-secret@')}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    server = await startServer(
      ['--profile-registry-dsn', dsn, '--pg-pool-size', '3', '--pg-statement-timeout', '2500', '--pg-application-name', applicationName],
      { logLevel: 'info' },
    );
  });
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  it('logs which database it uses without the password, and connects under the application name given', async () => {
    const opened = server
      .output()
      .split('\n')
      .filter((line) => line.includes('database opened'))
      .map((line) => JSON.parse(line));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ backend: 'postgres', database: expect.stringMatching(/^postgres:\/\/postgres@127\.0\.0\.1:5432\/test\?/) });
    expect(server.output()).not.toContain('hunter2');

    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const names = await admin.query('SELECT DISTINCT application_name FROM pg_stat_activity WHERE application_name LIKE $1', [`${applicationName}%`]);
    await admin.end();
    expect(names.rows.map((row: { application_name: string }) => row.application_name)).toContain(applicationName);
  });

  it('refuses a pool size that is not a positive integer with one clear line', async () => {
    const result = await runCli(['serve', '--profile-registry-dsn', PG_URL, '--pg-pool-size', '0']);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe("error: option '--pg-pool-size <n>' argument '0' is invalid. must be an integer ≥ 1");
  });
});
