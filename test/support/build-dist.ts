import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: builds dist/ once before any test (`npm run build`, the same build a user
 * runs, which also makes the bin executable), so that tests that start the built server, CLI or
 * benchmarks never run an old build (`npx vitest run` alone is safe).
 */
export default function buildDist(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
