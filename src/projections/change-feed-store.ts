import type { RowSealer } from '../domain/row-seal.js';
import type { AffectedByPosition, AffectedProfile } from '../events/change-feed.js';
import type { StoredEvent } from '../events/event-types.js';
import type { SqlExecutor } from '../events/sql-database.js';
import type { SqlFlavour } from '../events/sql-flavour.js';
import { STORED_EVENT_COLUMNS, storedEventFromRow, type StoredEventRow } from '../events/stored-event-row.js';
import { addColumnIfMissing } from './add-column.js';

/**
 * Which profiles' fingerprints each event changed, written with the event. It records what the
 * fingerprints were at the time of the change, so it is history, not a rebuildable projection:
 * each row carries a seal over its bytes and the hash of its event (see `changeRowSealed`).
 */
export const changeFeedSchema = ({ bigint }: SqlFlavour): string => `
CREATE TABLE IF NOT EXISTS change_affected (
  position ${bigint} PRIMARY KEY,
  affected_json TEXT NOT NULL,
  seal TEXT
);
`;

/** What a change-feed row's seal covers: its bytes, bound to its event's chain hash. */
export const changeRowSealed = (position: number, eventHash: string, affectedJson: string) => ({
  position,
  event_hash: eventHash,
  affected_json: affectedJson,
});


/** Rows written before seals existed are sealed when the column is added (`seal` as the store seals). */
export const upgradeChangeFeed = async (db: SqlExecutor, seal: RowSealer): Promise<void> => {
  if (await addColumnIfMissing(db, 'change_affected', 'seal', 'TEXT')) await resealChangeRows(db, seal);
};

/** Seals every change-feed row whose event is there again with `seal` (adopting signing keys: see reseal.ts). */
export const resealChangeRows = async (db: SqlExecutor, seal: RowSealer): Promise<void> => {
  for await (const row of readChangeRowsWithHashes(db)) {
    if (row.hash === undefined) continue;
    await db.run('UPDATE change_affected SET seal = $1 WHERE position = $2', [
      seal(changeRowSealed(row.position, row.hash, row.affected_json)),
      row.position,
    ]);
  }
};

/** The change-feed rows after position `after`, up to `upTo` (without it, all of them), in position order. */
export const readChangeRows = async (
  db: SqlExecutor,
  after: number,
  upTo?: number,
): Promise<{ position: number; affected_json: string; seal: string | null }[]> => {
  const rows = await db.all<{ position: number | string; affected_json: string; seal: string | null }>(
    `SELECT position, affected_json, seal FROM change_affected WHERE position > $1${upTo === undefined ? '' : ' AND position <= $2'} ORDER BY position`,
    upTo === undefined ? [after] : [after, upTo],
  );
  return rows.map((row) => ({ ...row, position: Number(row.position) }));
};

/** Rows read per page by readChangeRowsWithHashes. */
const CHANGE_ROWS_PAGE = 5000;

/** Every change-feed row in position order, with the hash of its event (undefined when the event is gone). */
export async function* readChangeRowsWithHashes(
  db: SqlExecutor,
): AsyncGenerator<{ position: number; affected_json: string; seal: string | null; hash: string | undefined }> {
  for (let after = 0; ; ) {
    const rows = await db.all<{ position: number | string; affected_json: string; seal: string | null }>(
      'SELECT position, affected_json, seal FROM change_affected WHERE position > $1 ORDER BY position LIMIT $2',
      [after, CHANGE_ROWS_PAGE],
    );
    const positions = rows.map((row) => Number(row.position));
    const hashes = await db.events.readHashes(positions);
    for (const [index, row] of rows.entries()) {
      yield { position: positions[index], affected_json: row.affected_json, seal: row.seal, hash: hashes.get(positions[index]) };
    }
    if (rows.length < CHANGE_ROWS_PAGE) return;
    after = positions[positions.length - 1];
  }
}

export const writeAffected = async (
  tx: SqlExecutor,
  affected: AffectedByPosition,
  hashOf: (position: number) => string,
  seal: RowSealer,
): Promise<void> => {
  for (const [position, profiles] of affected) {
    const json = JSON.stringify(profiles);
    await tx.write('INSERT INTO change_affected (position, affected_json, seal) VALUES ($1, $2, $3)', [
      position,
      json,
      seal(changeRowSealed(position, hashOf(position), json)),
    ]);
  }
};

export interface FeedChange {
  event: StoredEvent;
  affected: AffectedProfile[];
}

/**
 * Committed events after a position, in order, each with the profiles it affected: one statement,
 * so following the feed costs one round trip per page on PostgreSQL.
 */
export const readChanges = async (db: SqlExecutor, after: number, limit: number): Promise<FeedChange[]> => {
  const rows = await db.all<StoredEventRow & { affected_json: string | null }>(
    `SELECT e.*, c.affected_json
     FROM (SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2) e
     LEFT JOIN change_affected c ON c.position = e.position
     ORDER BY e.position`,
    [after, limit],
  );
  return rows.map((row) => ({
    event: storedEventFromRow(row),
    affected: row.affected_json === null ? [] : (JSON.parse(row.affected_json) as AffectedProfile[]),
  }));
};
