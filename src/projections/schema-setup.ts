import type { SqlDatabase, SqlExecutor } from '../events/sql-database.js';
import { eventStoreSchema } from '../events/event-store-schema.js';
import { addProfileCopiesToEarlierLog } from '../events/sql/profile-columns.js';
import { sealOf } from '../domain/row-seal.js';
import { addColumnIfMissing } from './add-column.js';
import { changeFeedSchema, upgradeChangeFeed } from './change-feed-store.js';
import type { RowSealer } from '../domain/row-seal.js';
import { eventSealsSchema } from '../events/event-seals.js';
import { idempotencySchema, upgradeIdempotencyKeys } from './idempotency-store.js';
import { integrityAuditSchema } from './integrity-audit.js';
import {
  dropProjectionTables,
  hasEarlierDocumentLayout,
  hasEarlierRegistriesView,
  LIVE_TABLES,
  projectionSchema,
} from './projection-schema.js';
import { rebuildProjections } from './rebuild.js';
import { fingerprintKeySchema, makeFingerprintKey, readFingerprintKey } from './fingerprint-key-store.js';
import { redigestOnUpgrade } from './redigest-on-upgrade.js';
import { snapshotSchema } from '../events/snapshot-schema.js';
import { makeStoreIdentity, storeIdentitySchema } from '../events/store-identity.js';

/**
 * The version of the database layout this server writes. Raise it with an upgrade step that
 * needs more than the idempotent `CREATE ... IF NOT EXISTS` below; a server refuses a database
 * whose recorded version is newer than its own. 2: event hashes bind global positions (format 2)
 * and PostgreSQL hands positions out from `event_positions`; a server of layout 1 would append
 * events in format 1 after them, which verify reports as rehashed.
 */
export const SCHEMA_VERSION = 2;

const schemaVersionTable = (db: SqlExecutor): string => `
CREATE TABLE IF NOT EXISTS schema_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  updated_at_ms ${db.flavour.bigint} NOT NULL
);`;

export const readSchemaVersion = async (db: SqlExecutor): Promise<number> =>
  Number((await db.get<{ version: number }>('SELECT version FROM schema_version WHERE id = 1'))?.version ?? 0);

/**
 * Creates the tables and runs the upgrades a database needs, then records the version. Instances
 * that start together on one PostgreSQL do this one at a time, under an advisory lock: concurrent
 * `CREATE ... IF NOT EXISTS` of the same table can fail on PostgreSQL's catalog constraints.
 */
export const ensureSchema = async (db: SqlDatabase, seal: RowSealer = (value) => sealOf(undefined, value)): Promise<void> => {
  const exclusively = db.withSchemaLock ?? (<T>(fn: () => Promise<T>) => fn());
  await exclusively(async () => {
    await db.exec(schemaVersionTable(db));
    const recorded = await readSchemaVersion(db);
    if (recorded > SCHEMA_VERSION) {
      throw new Error(`the database's schema is at version ${recorded}, newer than this server's (${SCHEMA_VERSION}): upgrade the server`);
    }
    // before the schema's index over them, which an earlier release's events table lacks
    await addProfileCopiesToEarlierLog(db);
    await db.exec(eventStoreSchema(db.flavour));
    const earlierLayout = await hasEarlierDocumentLayout(db);
    if (earlierLayout) await db.exec(dropProjectionTables());
    else if (await hasEarlierRegistriesView(db)) await db.exec(`DROP VIEW IF EXISTS ${LIVE_TABLES.registries}`);
    await db.exec(projectionSchema(db.flavour));
    // no profile was published before the column existed: it starts empty, nothing to rebuild
    await addColumnIfMissing(db, LIVE_TABLES.documents, 'signature_json', 'TEXT');
    await db.exec(changeFeedSchema(db.flavour));
    await db.exec(eventSealsSchema(db.flavour));
    await db.exec(idempotencySchema(db.flavour));
    await db.exec(snapshotSchema(db.flavour));
    await db.exec(integrityAuditSchema(db.flavour));
    await upgradeChangeFeed(db, seal);
    await upgradeIdempotencyKeys(db, seal);
    await db.exec(storeIdentitySchema(db.flavour));
    await makeStoreIdentity(db);
    await db.exec(fingerprintKeySchema(db.flavour));
    // the key and the digests made again under it commit together (a crash in between cannot leave plain digests behind)
    await db.transaction(async (tx) => {
      if ((await makeFingerprintKey(tx)) && !earlierLayout) await redigestOnUpgrade(tx, await readFingerprintKey(tx), seal);
    });
    if (earlierLayout) await rebuildProjections(db);
    if (recorded !== SCHEMA_VERSION) {
      await db.run(
        `INSERT INTO schema_version (id, version, updated_at_ms) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at_ms = excluded.updated_at_ms`,
        [SCHEMA_VERSION, Date.now()],
      );
    }
  });
};
