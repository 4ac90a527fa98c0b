import { sealOf } from '../domain/row-seal.js';
import type { SigningKeys } from '../domain/signing-keys.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { resealChangeRows } from './change-feed-store.js';
import { resealEvents } from '../events/event-seals.js';
import { resealResponses } from './idempotency-store.js';

/**
 * Every seal made again as an HMAC under the signing key: events (those written before events were
 * sealed too), change-feed rows, stored responses. Only for an operator who accepted, on the
 * record, seals that did not verify under the keys (`rebuild --accept-broken-chain` with keys):
 * how a store written without keys comes under them. It vouches for the events as they are now.
 */
export const resealUnderKeys = async (tx: SqlExecutor, keys: SigningKeys): Promise<void> => {
  const seal = (value: unknown) => sealOf(keys, value);
  await resealEvents(tx, seal);
  await resealChangeRows(tx, seal);
  await resealResponses(tx, seal);
};
