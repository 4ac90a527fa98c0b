import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProfilesFile } from '../src/domain/profiles-file.js';
import { importBundle } from '../src/domain/read-registry-bundle.js';
import { profileCount } from '../src/domain/registry-bundle.js';
import { bundleYaml, registryBundle } from '../src/domain/write-registry-bundle.js';
import { openDatabase } from '../src/events/open-database.js';
import { importRegistries } from '../src/use-cases/import-registries.js';
import { createRegistryStore } from '../src/use-cases/registry-store.js';
import { generateProfiles, type ProfileBody } from './lib/generate-data.js';

/**
 * Import of a 10,000-profile YAML bundle (5 registries, medium bodies) into a fresh SQLite file:
 * one converge command per registry. Run: `npm run build && node dist/bench/import-10k.js`.
 */
const PROFILES = Number(process.env.BENCH_PROFILES ?? 10_000);

/** The generator's POST bodies grouped into a `registries:` bundle value. */
const bundleOf = (bodies: ProfileBody[]) => {
  const registries: Record<string, { slug: string; default_profile_slug?: string; profiles: Record<string, unknown> }> = {};
  for (const { registry, set_default: setDefault, ...profile } of bodies) {
    registries[registry] ??= { slug: registry, profiles: {} };
    if (setDefault === true) registries[registry].default_profile_slug = profile.slug;
    registries[registry].profiles[profile.slug] = profile;
  }
  return { registries };
};

const time = async <T>(fn: () => Promise<T> | T): Promise<[T, number]> => {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
};

const dir = mkdtempSync(join(tmpdir(), 'profile-registry-bench-'));
try {
  const bodies = generateProfiles(PROFILES, 5);
  const canonical = registryBundle(importBundle(bundleOf(bodies)));
  const yamlFile = join(dir, 'bundle.yaml');
  const jsonFile = join(dir, 'bundle.json');
  writeFileSync(yamlFile, bundleYaml(canonical));
  writeFileSync(jsonFile, JSON.stringify(canonical));
  const megabytes = (path: string) => `${(statSync(path).size / 1e6).toFixed(1)} MB`;

  const [fromJson, jsonParseMs] = await time(() => readProfilesFile(readFileSync(jsonFile, 'utf8'), 'default'));
  const [fromYaml, yamlParseMs] = await time(() => readProfilesFile(readFileSync(yamlFile, 'utf8'), 'default'));
  if (profileCount(fromYaml.registries) !== PROFILES || profileCount(fromJson.registries) !== PROFILES) {
    throw new Error('the bundle did not read back whole');
  }

  const store = await createRegistryStore(openDatabase({ path: join(dir, 'profiles.db') }));
  const context = { actor: 'bench', source: 'import', request_id: 'bench' };
  const [, importMs] = await time(() => importRegistries(store, fromYaml.registries, context));
  const events = await store.db.events.countEvents();
  const [, againMs] = await time(() => importRegistries(store, fromJson.registries, context));
  const newEvents = (await store.db.events.countEvents()) - events;
  await store.close();

  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`import of ${PROFILES} profiles (5 registries, medium bodies) into a fresh SQLite file`);
  console.log(`  read + parse + validate, YAML bundle (${megabytes(yamlFile)}): ${seconds(yamlParseMs)}`);
  console.log(`  read + parse + validate, JSON bundle (${megabytes(jsonFile)}): ${seconds(jsonParseMs)} (YAML/JSON ${(yamlParseMs / jsonParseMs).toFixed(1)}x)`);
  console.log(`  converge into the store (5 transactions, ${events} events): ${seconds(importMs)}`);
  console.log(`  total, YAML file: ${seconds(yamlParseMs + importMs)} (${Math.round(PROFILES / ((yamlParseMs + importMs) / 1000))} profiles/s)`);
  console.log(`  total, JSON file: ${seconds(jsonParseMs + importMs)} (${Math.round(PROFILES / ((jsonParseMs + importMs) / 1000))} profiles/s)`);
  console.log(`  the same profiles again: ${seconds(againMs)}, ${newEvents} new events`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
