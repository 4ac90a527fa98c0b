import type { SqlDatabase } from '../events/sql-database.js';
import { describeChainBreak, verifyHashChain } from '../events/verify-hash-chain.js';
import { recordAudit } from './integrity-audit.js';
import { rebuildProjections, type RebuildOptions, type RebuildProgress } from './rebuild.js';

export interface CheckedRebuildOptions extends RebuildOptions {
  /** Rebuild from a broken chain anyway (forensics); the act is recorded in `integrity_audit`. */
  acceptBrokenChain?: boolean;
  actor: string;
  nowMs: number;
}

/**
 * A rebuild makes the projections say what the events say. From a broken hash chain that would
 * serve forged or damaged events as the truth and erase the evidence the projections still hold,
 * so it is refused, naming the first bad event, unless the operator accepts it explicitly.
 */
export const rebuildCheckingChain = async (
  db: SqlDatabase,
  options: CheckedRebuildOptions,
): Promise<RebuildProgress & { acceptedBreak?: string }> => {
  const chain = await verifyHashChain(db);
  const broken = chain.broken ? describeChainBreak(chain.broken) : undefined;
  if (broken !== undefined) {
    if (!options.acceptBrokenChain) {
      throw new Error(
        `rebuild refused: the hash chain is broken at ${broken}; keep this database as evidence and restore a backup, or pass --accept-broken-chain to rebuild from these events anyway (the act is recorded)`,
      );
    }
    await db.transaction((tx) =>
      recordAudit(tx, { at_ms: options.nowMs, actor: options.actor, action: 'rebuild over a broken hash chain', detail: broken }),
    );
  }
  const progress = await rebuildProjections(db, options);
  return broken === undefined ? progress : { ...progress, acceptedBreak: broken };
};
