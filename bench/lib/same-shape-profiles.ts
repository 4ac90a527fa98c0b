import type { ProfileRef, ShapedHistory } from './shaped-history.js';

/** The fewest versions a probe profile has: a history with diffs, and a `?version=2` that is not the head. */
const MIN_VERSIONS = 3;

interface ProfileShape {
  slug: string;
  versions: number;
  /** The stack as written (the registries and profiles it names, in order): its depth and size. */
  stack: string;
}

type Served = { url: string; shape: ShapedHistory };

/** The profiles of a registry as a server answers them now (the PATCH probe may have added versions to a PostgreSQL store's hot profile). */
const shapesOf = async (url: string, registry: string): Promise<ProfileShape[]> => {
  const response = await fetch(`${url}/api/registries/${registry}`);
  if (response.status !== 200) throw new Error(`GET /api/registries/${registry}: ${response.status}`);
  const payload = (await response.json()) as { profiles: Record<string, { metadata: { version: number }; stack?: unknown[] }> };
  return Object.entries(payload.profiles).map(([slug, profile]) => ({ slug, versions: profile.metadata.version, stack: JSON.stringify(profile.stack ?? []) }));
};

/**
 * For one role (`cold` or `stacked`), a profile of the same shape on every store: in the registry
 * the generator named for that role, stacked like the generator's pick (no stack for `cold`; the same
 * stack for `stacked`, so the same depth and size), with the same number of versions. That number is
 * the smallest one of at least MIN_VERSIONS that every store holds in such a profile; on each store
 * the pick is the last such profile in slug order. The generator's own pick is the last profile of a
 * registry (cold) or the first stacked one past the hot ones: its versions grow with the store's
 * edits (cold: 3 at 100,000 events, 7 at 1,000,000), so a page answering them cost more for that alone.
 */
const pickSameShape = async (served: Served[], role: 'cold' | 'stacked'): Promise<{ refs: ProfileRef[]; versions: number }> => {
  const candidates = await Promise.all(
    served.map(async ({ url, shape }) => {
      const ref = shape[role];
      const profiles = await shapesOf(url, ref.registry);
      const stack = profiles.find(({ slug }) => slug === ref.slug)?.stack;
      if (stack === undefined) throw new Error(`${role} profile ${ref.registry}/${ref.slug} not found at ${url}`);
      return profiles.filter((profile) => profile.stack === stack && profile.versions >= MIN_VERSIONS);
    }),
  );
  const counts = candidates.map((profiles) => new Set(profiles.map(({ versions }) => versions)));
  const shared = [...counts[0]!].filter((versions) => counts.every((held) => held.has(versions))).sort((a, b) => a - b);
  const versions = shared[0];
  if (versions === undefined) throw new Error(`no ${role} profile has the same number of versions on every store`);
  const refs = candidates.map((profiles, index) => {
    const slug = profiles.filter((profile) => profile.versions === versions).map(({ slug }) => slug).sort().at(-1)!;
    return { registry: served[index]!.shape[role].registry, slug };
  });
  return { refs, versions };
};

/** The stores' shapes with their cold and stacked probe profiles replaced by ones of the same shape on every store. */
export const withSameShapeProfiles = async (served: Served[], log: (message: string) => void): Promise<ShapedHistory[]> => {
  const [cold, stacked] = [await pickSameShape(served, 'cold'), await pickSameShape(served, 'stacked')];
  return served.map(({ shape }, index) => {
    const [coldRef, stackedRef] = [cold.refs[index]!, stacked.refs[index]!];
    log(
      `probe profiles at ${shape.events.toLocaleString('en-US')} events: cold ${coldRef.registry}/${coldRef.slug} (${cold.versions} versions), ` +
        `stacked ${stackedRef.registry}/${stackedRef.slug} (${stacked.versions} versions)`,
    );
    return { ...shape, cold: coldRef, stacked: stackedRef, versions: { ...shape.versions, cold: cold.versions, stacked: stacked.versions } };
  });
};
