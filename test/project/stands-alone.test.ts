import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// written in two parts, so that this file does not name what it looks for
const FORBIDDEN = ['..' + '/shared', 'shared' + '/fixtures'];

/** The tracked files; in an export of a commit (no .git, as .ci/run tests it), every file but what install and build add. */
const projectFiles = (): string[] => {
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (relative(top, ROOT) === '') {
      return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    }
  } catch {
    // not a git checkout
  }
  const skipped = new Set(['.git', 'node_modules', 'dist']);
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      if (skipped.has(entry.name)) return [];
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      return entry.isDirectory() ? walk(path) : [path];
    });
  return walk('');
};

describe('the repository stands alone', () => {
  it('has no file that reaches for the folder beside the clone', () => {
    const files = projectFiles();
    expect(files).toContain('package.json');
    const offending = files.flatMap((file) => {
      let text: string;
      try {
        text = readFileSync(join(ROOT, file), 'utf8');
      } catch {
        return []; // listed but deleted in the working tree
      }
      return FORBIDDEN.filter((needle) => text.includes(needle)).map((needle) => `${file}: ${needle}`);
    });
    expect(offending).toEqual([]);
  });
});
