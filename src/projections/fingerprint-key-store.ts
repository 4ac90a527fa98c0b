import { randomBytes } from 'node:crypto';
import { FINGERPRINT_KEY_BYTES, fingerprintKeyOf, UNKEYED_BEFORE_UPGRADE, type FingerprintKey } from '../domain/fingerprint.js';
import type { SqlExecutor } from '../events/sql-database.js';
import type { SqlFlavour } from '../events/sql-flavour.js';

/**
 * The store's fingerprint key (domain/fingerprint.ts): one row, made by the first writable open
 * and never changed, so that every instance on the database, a rebuild and a restored backup
 * (SQLite `backup`, `pg_dump`) digest alike. It is not a store identity: a restore keeps it.
 */
export const fingerprintKeySchema = ({ bigint }: SqlFlavour): string => `
CREATE TABLE IF NOT EXISTS fingerprint_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  key_hex TEXT NOT NULL,
  created_at_ms ${bigint} NOT NULL
);
`;

/** Makes the store's key unless it has one (instances that start together keep the first); true when this call made it. */
export const makeFingerprintKey = async (db: SqlExecutor): Promise<boolean> =>
  (await db.run('INSERT INTO fingerprint_key (id, key_hex, created_at_ms) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING', [
    randomBytes(FINGERPRINT_KEY_BYTES).toString('hex'),
    Date.now(),
  ])) > 0;

const hasKeyTable = async (db: SqlExecutor): Promise<boolean> =>
  (await db.get(`SELECT 1 AS found FROM (${db.flavour.tableColumns('fingerprint_key')}) c WHERE c.name = 'key_hex'`)) !== undefined;

/** The key as stored; on a database no writable open has keyed yet, the plain digests its rows still hold. */
export const readFingerprintKey = async (db: SqlExecutor): Promise<FingerprintKey> => {
  if (!(await hasKeyTable(db))) return UNKEYED_BEFORE_UPGRADE;
  const row = await db.get<{ key_hex: string }>('SELECT key_hex FROM fingerprint_key WHERE id = 1');
  return row ? fingerprintKeyOf(Buffer.from(row.key_hex, 'hex')) : UNKEYED_BEFORE_UPGRADE;
};

const known = new WeakMap<object, Promise<FingerprintKey>>();

/** The key of the database `db` reads (read once per connection object; the key never changes). */
export const storeFingerprintKey = (db: SqlExecutor): Promise<FingerprintKey> => {
  let key = known.get(db);
  if (key === undefined) {
    key = readFingerprintKey(db);
    known.set(db, key);
  }
  return key;
};

/** Remembers the key of an opened store, so that its reads do not ask for it again. */
export const rememberFingerprintKey = (db: SqlExecutor, key: FingerprintKey): void => {
  known.set(db, Promise.resolve(key));
};
