import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { expect } from 'vitest';
import { runCli, type CliResult } from './run-cli.js';

/** A small bundle of two registries, one stacking on the other (what the operator-command tests import). */
export const BUNDLE = `registries:
  base:
    slug: base
    default_profile_slug: plain
    profiles:
      plain:
        slug: plain
        runtime:
          system_prompt: You are plain
  team:
    slug: team
    display_name: Team
    profiles:
      alpha:
        slug: alpha
        description: first
        runtime:
          system_prompt: You are alpha
      stacked:
        slug: stacked
        stack:
          - registry_slug: base
            profile_slug: plain
`;

export interface FileState {
  sha256: string;
  mode: number;
  mtimeMs: number;
}

export const fileState = (path: string): FileState => {
  const stat = statSync(path);
  return { sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), mode: stat.mode & 0o777, mtimeMs: stat.mtimeMs };
};

/** What a path is, byte for byte (a folder: its listing). */
export const pathState = (path: string): unknown =>
  statSync(path).isDirectory() ? { listing: readdirSync(path).sort() } : fileState(path);

/** A folder's names, without the -wal and -shm that SQLite itself may leave beside a WAL database (as `sqlite3 -readonly` does). */
export const listing = (dir: string): string[] => readdirSync(dir).filter((name) => !/-(wal|shm)$/.test(name)).sort();

/** Runs the CLI with each argument list, a few at a time (the machine is shared), results in order. */
export const runEach = async (argLists: string[][], env: Record<string, string> = {}, options: { cwd?: string } = {}): Promise<CliResult[]> => {
  const results: CliResult[] = [];
  for (let i = 0; i < argLists.length; i += 3) {
    results.push(...(await Promise.all(argLists.slice(i, i + 3).map((args) => runCli(args, env, options)))));
  }
  return results;
};

export const oneLine = (stderr: string): void => {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trim().split('\n')).toHaveLength(1);
};

