import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The shared fixtures' seeded generator (../shared/fixtures/generate.mjs beside the repository). */
export const GENERATOR = fileURLToPath(new URL('../../../../shared/fixtures/generate.mjs', import.meta.url));

export interface ProfileBody {
  registry: string;
  slug: string;
  [field: string]: unknown;
}

export interface PatchRequest {
  slug: string;
  registry: string;
  body: Record<string, unknown>;
}

const generate = <T>(args: string[]): T[] =>
  JSON.parse(execFileSync(process.execPath, [GENERATOR, ...args], { maxBuffer: 2 * 1024 ** 3, encoding: 'utf8' })) as T[];

export const generateRegistries = (registries: number) =>
  generate<{ slug: string }>(['--registries', String(registries), '--registries-only']);

export const generateProfiles = (profiles: number, registries: number, seed = 'bench') =>
  generate<ProfileBody>(['--profiles', String(profiles), '--registries', String(registries), '--seed', seed, '--size', 'medium']);

export const generatePatches = (profiles: number, registries: number, patches: number, seed = 'bench') =>
  generate<PatchRequest>([
    '--profiles', String(profiles), '--registries', String(registries), '--seed', seed, '--size', 'medium',
    '--patches', String(patches),
  ]);
