import type { SigningKeys } from '../domain/signing-keys.js';
import { checkpointLine, takeCheckpoint } from '../events/checkpoint.js';
import type { RegistryStore } from './registry-store.js';

export interface CheckpointWriterOptions {
  keys: SigningKeys;
  /** A checkpoint once the log moved this many events past the last one. */
  every: number;
  /** Keeps one checkpoint line (e.g. appends it to a file that is shipped elsewhere). */
  write: (line: string) => Promise<void>;
  onError: (error: unknown) => void;
  now?: () => number;
}

/**
 * Writes a signed checkpoint when the server starts, then once `every` events or more were committed
 * since the last one, and when the server stops. Checkpoints are taken after commit, from the
 * stream heads, one at a time (so one may see a few more events than `every`).
 */
export const startCheckpointWriter = async (store: RegistryStore, options: CheckpointWriterOptions) => {
  const now = options.now ?? Date.now;
  let lastPosition = -1;
  let running: Promise<void> | undefined;
  let again = false;
  const write = async () => {
    const checkpoint = await takeCheckpoint(store.db, options.keys, now());
    if (checkpoint.position === lastPosition) return;
    await options.write(checkpointLine(checkpoint));
    lastPosition = checkpoint.position;
  };
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = write()
      .catch(options.onError)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  await write();
  const stop = store.bus.onCommit((events) => {
    const last = events[events.length - 1]?.position ?? 0;
    if (last - lastPosition >= options.every) run();
  });
  return {
    /** Stops listening and writes a last checkpoint if the log moved since the previous one. */
    close: async () => {
      stop();
      await running;
      await write().catch(options.onError);
    },
  };
};
