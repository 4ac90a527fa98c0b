import { effectiveProfile, type EffectiveProfile } from '../domain/effective-runtime.js';
import { profileNotFound, registryNotFound } from '../domain/errors.js';
import type { ProfileState } from '../events/registry-state.js';
import type { SqlExecutor } from '../events/sql-database.js';
import { LIVE_TABLES } from './projection-schema.js';
import { cachedRead, type CachedRead, registryExists } from './read-model.js';
import { profileStateOfRow } from './registry-serialization.js';

export interface ResolvedProfile {
  registry: string;
  profile: ProfileState;
  effective: EffectiveProfile;
  lineage: { registry_slug: string; profile_slug: string; version: number; source: string }[];
  /** The profiles merged, base first (as `lineage`). */
  layers: { registry: string; profile: ProfileState }[];
  /** Every registry the stack names on the way, found there or not (a caller must be able to read each). */
  reached: string[];
}

const readProfileState = async (db: SqlExecutor, registry: string, slug: string): Promise<ProfileState | undefined> => {
  const row = await db.get<{ stored_json: string; signature_json: string | null }>(
    `SELECT stored_json, signature_json FROM ${LIVE_TABLES.documents} WHERE registry = $1 AND slug = $2`,
    [registry, slug],
  );
  return row ? profileStateOfRow(row.stored_json, row.signature_json) : undefined;
};

/** A profile and everything its stack reaches, read from the document projection, then merged. */
export const readResolvedProfile = async (db: SqlExecutor, registry: string, slug: string): Promise<ResolvedProfile> => {
  const root = await readProfileState(db, registry, slug);
  if (!root) throw await missingProfileError(db, registry);
  const found = new Map<string, ProfileState | undefined>([[`${registry}/${slug}`, root]]);
  const queue: [string, ProfileState][] = [[registry, root]];
  const reached = new Set<string>([registry]);
  while (queue.length > 0) {
    const [holder, state] = queue.pop() as [string, ProfileState];
    for (const ref of state.content.stack) {
      const baseRegistry = ref.registry_slug ?? holder;
      reached.add(baseRegistry);
      const key = `${baseRegistry}/${ref.profile_slug}`;
      if (found.has(key)) continue;
      const base = await readProfileState(db, baseRegistry, ref.profile_slug);
      found.set(key, base);
      if (base) queue.push([baseRegistry, base]);
    }
  }
  const effective = effectiveProfile(registry, root.content, (r, s) => found.get(`${r}/${s}`)?.content, { skipMissing: true });
  return {
    registry,
    profile: root,
    effective,
    lineage: effective.lineage.map((layer) => ({
      registry_slug: layer.registry,
      profile_slug: layer.slug,
      version: found.get(`${layer.registry}/${layer.slug}`)?.version ?? 0,
      // the write that made that version (as geppetto's lineage names its profile's metadata.source)
      source: found.get(`${layer.registry}/${layer.slug}`)?.stamp.source ?? '',
    })),
    layers: effective.lineage.flatMap((layer) => {
      const profile = found.get(`${layer.registry}/${layer.slug}`);
      return profile ? [{ registry: layer.registry, profile }] : [];
    }),
    reached: [...reached],
  };
};

/** The default profile slug of a live registry (undefined when it has none or does not exist). */
export const readRegistryDefaultProfile = (db: SqlExecutor, registry: string): CachedRead<string | undefined> =>
  cachedRead(db, ['default profile', registry], async () => {
    const row = await db.get<{ summary_json: string }>(`SELECT summary_json FROM ${LIVE_TABLES.headers} WHERE slug = $1`, [
      registry,
    ]);
    return row ? (JSON.parse(row.summary_json) as { default_profile_slug?: string }).default_profile_slug : undefined;
  });

/** The 404 for a profile that is not there: `registry not found` when its registry is missing too. */
export const missingProfileError = async (db: SqlExecutor, registry: string): Promise<Error> =>
  (await registryExists(db, registry)) ? profileNotFound() : registryNotFound();
