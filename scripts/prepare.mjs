// npm's `prepare` script: builds dist/ for `npm ci`, `npm install` and `npm pack`.
// `npx profile-registry` in a checkout links the checkout into npm's npx cache, and npm runs
// `prepare` for it: that would rebuild dist/ under running servers and commands (and take a
// minute) whenever a checkout's first npx runs. An npx run uses the build that is there.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const built = existsSync(new URL('../dist/src/cli/main.js', import.meta.url));
if (!(process.env.npm_command === 'exec' && built)) {
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: new URL('..', import.meta.url) });
}
