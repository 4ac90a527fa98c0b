import type { FastifyInstance } from 'fastify';
import { parse } from 'yaml';
import { readFixture } from './fixtures.js';

interface BundleProfile {
  slug: string;
  stack?: { registry_slug?: string; profile_slug: string }[];
  [field: string]: unknown;
}

interface Bundle {
  registries: Record<
    string,
    { slug: string; display_name?: string; description?: string; default_profile_slug?: string; profiles: Record<string, BundleProfile> }
  >;
}

export const readRegistryBundle = (): Bundle =>
  parse(readFixture('registry-bundle.yaml')) as Bundle;

/** Creates the fixture bundle's registries and profiles through the API, bases before what stacks on them. */
export const loadRegistryBundle = async (app: FastifyInstance): Promise<Bundle> => {
  const bundle = readRegistryBundle();
  const pending: { registry: string; profile: BundleProfile; isDefault: boolean }[] = [];
  for (const registry of Object.values(bundle.registries)) {
    const created = await app.inject({
      method: 'POST',
      url: '/api/registries',
      payload: { slug: registry.slug, display_name: registry.display_name, description: registry.description },
    });
    if (created.statusCode !== 201) throw new Error(`registry ${registry.slug}: ${created.body}`);
    for (const profile of Object.values(registry.profiles)) {
      pending.push({ registry: registry.slug, profile, isDefault: profile.slug === registry.default_profile_slug });
    }
  }
  const done = new Set<string>();
  while (pending.length > 0) {
    const index = pending.findIndex(({ registry, profile }) =>
      (profile.stack ?? []).every((ref) => done.has(`${ref.registry_slug ?? registry}/${ref.profile_slug}`)),
    );
    const [{ registry, profile, isDefault }] = pending.splice(index, 1);
    const response = await app.inject({
      method: 'POST',
      url: '/api/chat/profiles',
      payload: { ...profile, registry, set_default: isDefault },
    });
    if (response.statusCode !== 201) throw new Error(`profile ${registry}/${profile.slug}: ${response.body}`);
    done.add(`${registry}/${profile.slug}`);
  }
  return bundle;
};
