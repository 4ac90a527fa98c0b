import type { SqlDatabase } from '../events/sql-database.js';
import { lostTail } from '../events/verify-hash-chain.js';
import { sealedPastTheEnd } from '../events/event-seals.js';
import { LIVE_TABLES } from './projection-schema.js';

/**
 * What was served that the events no longer hold, from heads only (O(registries), for a server's
 * start): a registry projection at a version past its stream's head, a change-feed row past the
 * log's last position, an event seal past it, a store sequence past it. Someone who deleted a stream's last
 * events and pointed its head back leaves the chain valid; these witnesses still saw the events.
 */
export const missingServedEvents = async (db: SqlDatabase): Promise<string[]> => {
  const findings: string[] = [];
  const heads = await db.all<{ slug: string; version: number | string; stream_version: number | string | null }>(
    `SELECT h.slug AS slug, h.version AS version, s.version AS stream_version
     FROM ${LIVE_TABLES.headers} h LEFT JOIN streams s ON s.stream_id = h.slug`,
  );
  for (const head of heads) {
    const served = Number(head.version);
    if (head.stream_version === null) findings.push(`registry "${head.slug}" was served at version ${served} but has no events`);
    else if (served > Number(head.stream_version)) {
      const last = Number(head.stream_version);
      findings.push(`registry "${head.slug}" was served at version ${served} but its events end at version ${last} (versions ${last + 1} to ${served} are missing)`);
    }
  }
  const feed = await db.get<{ last: number | string | null }>('SELECT MAX(position) AS last FROM change_affected');
  const lastPosition = await db.events.lastPosition();
  if (feed?.last !== null && feed?.last !== undefined && Number(feed.last) > lastPosition) {
    findings.push(`the change feed served position ${Number(feed.last)} but the log ends at position ${lastPosition}`);
  }
  const sealed = await sealedPastTheEnd(db);
  if (sealed) findings.push(sealed);
  const tail = await lostTail(db);
  if (tail) findings.push(tail);
  return findings;
};
