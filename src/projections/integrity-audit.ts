import type { SqlExecutor } from '../events/sql-database.js';
import type { SqlFlavour } from '../events/sql-flavour.js';

/**
 * Operator acts that bypass an integrity check (today: a rebuild over a broken hash chain). They
 * are not events: the chain they concern is broken, and they change no registry. `verify` lists
 * them, so that a database rebuilt from forged events says so.
 */
export const integrityAuditSchema = ({ serialKey, bigint }: SqlFlavour): string => `
CREATE TABLE IF NOT EXISTS integrity_audit (
  id ${serialKey},
  at_ms ${bigint} NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
`;

export interface AuditRecord {
  at_ms: number;
  actor: string;
  action: string;
  detail: string;
}

export const recordAudit = async (tx: SqlExecutor, record: AuditRecord): Promise<void> => {
  await tx.run('INSERT INTO integrity_audit (at_ms, actor, action, detail) VALUES ($1, $2, $3, $4)', [
    record.at_ms,
    record.actor,
    record.action,
    record.detail,
  ]);
};

export const readAudit = async (db: SqlExecutor): Promise<AuditRecord[]> =>
  (await db.all<AuditRecord>('SELECT at_ms, actor, action, detail FROM integrity_audit ORDER BY id')).map((row) => ({
    ...row,
    at_ms: Number(row.at_ms),
  }));

export const auditLine = (record: AuditRecord): string =>
  `${new Date(record.at_ms).toISOString()} ${record.actor}: ${record.action}: ${record.detail}`;
