/** How often a server launched through npm checks that its launcher is still there. */
const LAUNCHER_CHECK_MS = 250;

/**
 * `npm start` and `npx profile-registry serve` run the server under `sh -c`, and npm passes
 * SIGTERM and SIGINT to that shell only: dash (Debian's, Ubuntu's /bin/sh) dies of it without
 * passing it on, and the server, re-parented, ran on. So a server that npm launched (npm sets
 * `npm_lifecycle_event`) stops as on SIGTERM once its parent is gone. A server started directly
 * (the bin, systemd) is left alone: `nohup profile-registry serve &` must outlive its shell.
 * (`npm start` also `exec`s node, so there npm's signal reaches the server itself.)
 */
export const stopWhenLauncherExits = (stop: (reason: string) => void): void => {
  if (process.env.npm_lifecycle_event === undefined) return;
  const launcher = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    stop('launcher exited');
  }, LAUNCHER_CHECK_MS);
  timer.unref();
};
