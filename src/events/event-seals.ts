import { checkSeal, sealProblem } from '../domain/row-seal.js';
import type { SigningKeys } from '../domain/signing-keys.js';
import { bindsPosition } from './event-hash.js';
import type { EventRecord } from './event-store.js';
import type { StoredEvent } from './event-types.js';
import type { SqlDatabase, SqlExecutor, SqlTransaction } from './sql-database.js';
import type { SqlFlavour } from './sql-flavour.js';
import { describeChainBreak } from './verify-hash-chain.js';
import type { TransactionalStore } from './write-transaction.js';
import type { RowSealer } from '../domain/row-seal.js';

/**
 * Every event's seal, written with it: an HMAC under the signing key over its position and chain
 * hash when the writer has keys, else a SHA-256 (`sealOf`). The chain hash covers the event's bytes
 * and every earlier event of its stream, so the seal of a stream's last event vouches for the whole
 * stream: someone who rewrites an event and recomputes the SHA-256 chain cannot recompute the HMAC
 * seals after it. Not rebuildable: history, like the change feed.
 */
export const eventSealsSchema = ({ bigint }: SqlFlavour): string => `
CREATE TABLE IF NOT EXISTS event_seals (
  position ${bigint} PRIMARY KEY,
  seal TEXT NOT NULL
);
`;

const PAGE = 1000;

/** What an event's seal covers. */
export const eventSealed = (position: number, hash: string) => ({ position, event_hash: hash });

/** The INSERT of `count` seals, by count: built once each (the executors keep prepared statements by text). */
const sealInserts: string[] = [];
const sealInsertOf = (count: number): string =>
  (sealInserts[count] ??= `INSERT INTO event_seals (position, seal) VALUES ${Array.from({ length: count }, (_, index) => `($${index * 2 + 1}, $${index * 2 + 2})`).join(', ')}`);

/**
 * The database as the command bus writes through it: every append also writes its events' seals,
 * in the same transaction (and savepoint).
 */
export const sealingEvents = (db: SqlDatabase, seal: RowSealer): TransactionalStore<SqlTransaction> => ({
  runsAhead: db.runsAhead,
  transaction: (fn, afterCommit) =>
    db.transaction((tx) => {
      const events = tx.events;
      const appendToStream: typeof events.appendToStream = async (streamId, expectedVersion, domainEvents, runAhead) => {
        const stored = await events.appendToStream(streamId, expectedVersion, domainEvents, runAhead);
        if (stored.length > 0) {
          await tx.write(
            sealInsertOf(stored.length),
            stored.flatMap((event) => [event.position, seal(eventSealed(event.position, event.hash))]),
          );
        }
        return stored;
      };
      return fn({ ...tx, events: { ...events, appendToStream } });
    }, afterCommit),
});

/** Seals every event again with `seal`, those written before events were sealed too (adopting signing keys: see reseal.ts). */
export const resealEvents = async (db: SqlExecutor, seal: RowSealer): Promise<void> => {
  for (let after = 0; ; ) {
    const records = await db.events.readRecords({ after, limit: PAGE });
    for (const record of records) {
      await db.run('INSERT INTO event_seals (position, seal) VALUES ($1, $2) ON CONFLICT (position) DO UPDATE SET seal = excluded.seal', [
        record.position,
        seal(eventSealed(record.position, record.hash)),
      ]);
    }
    if (records.length < PAGE) return;
    after = records[records.length - 1].position;
  }
};

/** The seals of these positions (none on a database written before event seals existed). */
const readEventSeals = async (db: SqlExecutor, positions: readonly number[]): Promise<Map<number, string>> => {
  if (positions.length === 0) return new Map();
  if ((await db.get(`SELECT 1 AS found FROM (${db.flavour.tableColumns('event_seals')}) c WHERE c.name = 'seal'`)) === undefined) {
    return new Map();
  }
  const rows = await db.all<{ position: number | string; seal: string }>(
    `SELECT position, seal FROM event_seals WHERE ${db.flavour.integerIn('position', '$1')}`,
    [db.flavour.integerListParam(positions)],
  );
  return new Map(rows.map((row) => [Number(row.position), row.seal]));
};

/**
 * What is wrong with an event's seal, if anything: an event whose hash binds its position was
 * written with a seal (this release writes both), so its missing seal was deleted; an event of
 * format 1 may have none. With keys, only an HMAC of a listed key holds.
 */
const sealFinding = (keys: SigningKeys | undefined, record: Pick<EventRecord, 'position' | 'stream_id' | 'stream_version' | 'hash'>, seal: string | undefined) => {
  const name = (reason: string) =>
    describeChainBreak({ position: record.position, streamId: record.stream_id, streamVersion: record.stream_version, reason });
  // an event written before events were sealed has none: the seal of a later event of its stream vouches for it
  if (seal === undefined) return bindsPosition(record.hash) ? name('its seal is missing: it was deleted') : undefined;
  const check = checkSeal(keys, seal, eventSealed(record.position, record.hash));
  if (check === 'ok' || (check === 'unknown_key' && !keys)) return undefined;
  return name(sealProblem(check));
};

/**
 * The seal findings of these events, one chunk of the log as whoever reads it read it (verify reads
 * the log once for all its checks). Without keys it catches a seal edited or deleted without care;
 * with keys, any event whose seal is not an HMAC of a listed key over its hash: an event rewritten
 * with its chain recomputed, an event appended by someone without the key.
 */
export const eventSealFindings = async (db: SqlExecutor, keys: SigningKeys | undefined, records: readonly EventRecord[]): Promise<string[]> => {
  const seals = await readEventSeals(db, records.map((record) => record.position));
  const findings: string[] = [];
  for (const record of records) {
    const finding = sealFinding(keys, record, seals.get(record.position));
    if (finding) findings.push(finding);
  }
  return findings;
};

/**
 * The cheap check for a server's start with keys: the seal of each stream's last event, which
 * vouches for the stream's whole chain (its hash covers every event before it). O(registries).
 */
export const verifyHeadSeals = async (db: SqlDatabase, keys: SigningKeys): Promise<string | undefined> => {
  const heads = (await db.events.readStreamEnds()).flatMap((end) => (end.headEvent ? [end.headEvent] : []));
  const seals = await readEventSeals(db, heads.map((head) => head.position));
  for (const head of heads) {
    const finding = sealFinding(keys, head, seals.get(head.position));
    if (finding) return finding;
  }
  return undefined;
};

/** An event seal past the log's last event: events were deleted from its tail (whatever else was set back). */
export const sealedPastTheEnd = async (db: SqlExecutor): Promise<string | undefined> => {
  if ((await db.get(`SELECT 1 AS found FROM (${db.flavour.tableColumns('event_seals')}) c WHERE c.name = 'seal'`)) === undefined) return undefined;
  const sealed = Number((await db.get<{ last: number | string | null }>('SELECT MAX(position) AS last FROM event_seals'))?.last ?? 0);
  const lastPosition = await db.events.lastPosition();
  return sealed > lastPosition ? `events were sealed up to position ${sealed} but the log ends at position ${lastPosition}: events were deleted from its tail` : undefined;
};
