import type { SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES } from './projection-schema.js';

export interface ProfileRef {
  registry: string;
  profile: string;
}

const DEPENDENTS_SQL = `SELECT registry, profile FROM ${LIVE_TABLES.stackRefs} WHERE ref_registry = $1 AND ref_profile = $2 ORDER BY registry, profile`;
const FINGERPRINT_SQL = `SELECT fingerprint FROM ${LIVE_TABLES.documents} WHERE registry = $1 AND slug = $2`;

/** The live profiles whose stack names this profile directly. */
export const readStackDependents = (tx: SqlExecutor, registry: string, slug: string): Promise<ProfileRef[]> =>
  tx.all<ProfileRef>(DEPENDENTS_SQL, [registry, slug]);

/** The fingerprint of a profile's stored document (null when it has none). */
export const storedFingerprint = async (tx: SqlExecutor, registry: string, slug: string): Promise<string | null> => {
  const row = await tx.get<{ fingerprint: string }>(FINGERPRINT_SQL, [registry, slug]);
  return row?.fingerprint ?? null;
};
