import { randomBytes } from 'node:crypto';
import type { SqlExecutor } from './sql-database.js';
import type { SqlFlavour } from './sql-flavour.js';

/**
 * The store's identity: a random id made with the store, that change-feed positions carry
 * (`<identity>:<position>`). `backup` copies it; `restore-backup` and `rebuild` give the store a
 * new one, so that a watcher holding a position of the store as it was before is told to start
 * over instead of silently missing the events that now have its positions.
 */
export const storeIdentitySchema = ({ bigint }: SqlFlavour): string => `
CREATE TABLE IF NOT EXISTS store_identity (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  identity TEXT NOT NULL,
  created_at_ms ${bigint} NOT NULL
);
`;

/** 16 hexadecimal digits. */
export const newStoreIdentity = (): string => randomBytes(8).toString('hex');

export const STORE_IDENTITY_PATTERN = /^[0-9a-f]{16}$/;

/** Gives the store an identity unless it has one (instances that start together keep the first). */
export const makeStoreIdentity = async (db: SqlExecutor): Promise<void> => {
  await db.run('INSERT INTO store_identity (id, identity, created_at_ms) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING', [
    newStoreIdentity(),
    Date.now(),
  ]);
};

/** Gives the store a new identity (its feed positions start a new history); returns it. */
export const renewStoreIdentity = async (db: SqlExecutor): Promise<string> => {
  const identity = newStoreIdentity();
  await db.run(
    `INSERT INTO store_identity (id, identity, created_at_ms) VALUES (1, $1, $2)
     ON CONFLICT (id) DO UPDATE SET identity = excluded.identity, created_at_ms = excluded.created_at_ms`,
    [identity, Date.now()],
  );
  return identity;
};

export const readStoreIdentity = async (db: SqlExecutor): Promise<string> => {
  const row = await db.get<{ identity: string }>('SELECT identity FROM store_identity WHERE id = 1');
  if (!row) throw new Error('the store has no identity (its schema was not set up)');
  return row.identity;
};
