import type { AffectedByPosition, AffectedProfile } from '../events/change-feed.js';
import type { StoredEvent } from '../events/event-types.js';
import { readAll } from '../events/read-events.js';
import type { SqlDialect, SqlExecutor } from '../events/sql-database.js';

/**
 * Which profiles' fingerprints each event changed, written with the event. It records what the
 * fingerprints were at the time of the change, so it is history, not a rebuildable projection.
 */
export const changeFeedSchema = (dialect: SqlDialect): string => `
CREATE TABLE IF NOT EXISTS change_affected (
  position ${dialect === 'sqlite' ? 'INTEGER' : 'BIGINT'} PRIMARY KEY,
  affected_json TEXT NOT NULL
);
`;

export const writeAffected = async (tx: SqlExecutor, affected: AffectedByPosition): Promise<void> => {
  for (const [position, profiles] of affected) {
    await tx.run('INSERT INTO change_affected (position, affected_json) VALUES (?, ?)', [position, JSON.stringify(profiles)]);
  }
};

export interface FeedChange {
  event: StoredEvent;
  affected: AffectedProfile[];
}

/** Committed events after a position, in order, each with the profiles it affected. */
export const readChanges = async (db: SqlExecutor, after: number, limit: number): Promise<FeedChange[]> => {
  const events = await readAll(db, { after, limit });
  if (events.length === 0) return [];
  const rows = await db.all<{ position: number | string; affected_json: string }>(
    'SELECT position, affected_json FROM change_affected WHERE position > ? AND position <= ?',
    [after, events[events.length - 1].position],
  );
  const affected = new Map(rows.map((row) => [Number(row.position), JSON.parse(row.affected_json) as AffectedProfile[]]));
  return events.map((event) => ({ event, affected: affected.get(event.position) ?? [] }));
};
