import type { SigningKeys } from '../domain/signing-keys.js';
import { keyedFindings } from './verify-store.js';
import type { SqlDatabase } from '../events/sql-database.js';
import { describeChainBreak, lostTail, verifyHashChain, type ChainBreak } from '../events/verify-hash-chain.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES } from './projection-schema.js';
import { recordAudit } from './integrity-audit.js';
import { resealUnderKeys } from './reseal.js';
import { sealedPastTheEnd } from '../events/event-seals.js';
import { BrokenChainError, rebuildProjections, type RebuildOptions, type RebuildProgress } from './rebuild.js';

export interface CheckedRebuildOptions extends RebuildOptions {
  /** Rebuild from a broken chain anyway (forensics); the act is recorded in `integrity_audit`. */
  acceptBrokenChain?: boolean;
  /**
   * With keys, events whose seals or signatures do not verify under them are refused too; accepted
   * (`acceptBrokenChain`), every seal is made again under the signing key, on the record.
   */
  keys?: SigningKeys;
  actor: string;
  nowMs: number;
}

/** A registry whose projection has seen a version its stream no longer reaches: its last events are gone. */
const projectionAhead = async (db: SqlExecutor): Promise<string | undefined> => {
  const heads = new Map((await db.events.listStreams()).map((stream) => [stream.streamId, stream.version]));
  const projected = await db.all<{ slug: string; version: number | string }>(`SELECT slug, version FROM ${LIVE_TABLES.headers} ORDER BY slug`);
  const ahead = projected.find((row) => !heads.has(row.slug) || Number(row.version) > (heads.get(row.slug) ?? 0));
  return ahead
    ? `registry "${ahead.slug}": its projection is at version ${Number(ahead.version)} but the events end at version ${heads.get(ahead.slug) ?? 0}: events it saw are missing`
    : undefined;
};

/**
 * A rebuild makes the projections say what the events say. From a broken hash chain that would
 * serve forged or damaged events as the truth and erase the evidence the projections still hold,
 * so it is refused, naming the first bad event, unless the operator accepts it explicitly. The
 * cheap checks (a lost tail, the projection ahead of the events) come first; the chain is checked
 * in the rebuild's own read of the log, whose transaction a break rolls back (with signing keys,
 * whose check needs a whole chain, it is checked before).
 */
export const rebuildCheckingChain = async (
  db: SqlDatabase,
  options: CheckedRebuildOptions,
): Promise<RebuildProgress & { acceptedBreak?: string }> => {
  const lost = (await lostTail(db)) ?? (await sealedPastTheEnd(db)) ?? (await projectionAhead(db));
  let chainBreak: ChainBreak | undefined;
  if (lost === undefined && !options.keys) {
    // the usual case: the rebuild checks the chain as it reads the events, in one read of the log
    try {
      return await rebuildProjections(db, { ...options, checkChain: true });
    } catch (error) {
      if (!(error instanceof BrokenChainError)) throw error;
      chainBreak = error.broken; // its transaction rolled back: nothing was written
    }
  } else chainBreak = (await verifyHashChain(db)).broken;
  // a broken chain is named first: what the other checks find follows from it
  const forged = chainBreak || lost !== undefined || !options.keys ? [] : await keyedFindings(db, options.keys);
  const broken = chainBreak ? describeChainBreak(chainBreak) : (lost ?? forged[0]);
  if (broken !== undefined) {
    if (!options.acceptBrokenChain) {
      const what = chainBreak
        ? `the hash chain is broken at ${broken}`
        : lost !== undefined
          ? `events are missing: ${broken}`
          : `the events do not verify under the signing keys: ${broken}`;
      throw new Error(
        `rebuild refused: ${what}; keep this database as evidence and restore a backup, or pass --accept-broken-chain to rebuild from these events anyway (the act is recorded)`,
      );
    }
    const keys = options.keys;
    await db.transaction(async (tx) => {
      await recordAudit(tx, { at_ms: options.nowMs, actor: options.actor, action: 'rebuild over a broken hash chain', detail: broken });
      if (!keys) return;
      // the operator vouches for the events as they are: from now on the keys do (a store written without keys comes under them so)
      await resealUnderKeys(tx, keys);
      await recordAudit(tx, {
        at_ms: options.nowMs,
        actor: options.actor,
        action: 'sealed again under the signing keys',
        detail: `every event, change-feed row and stored response, with key "${keys.signing.id}"`,
      });
    });
  }
  const progress = await rebuildProjections(db, options);
  return broken === undefined ? progress : { ...progress, acceptedBreak: broken };
};
