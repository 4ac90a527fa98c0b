import cliProgress from 'cli-progress';

export interface ProgressBar {
  /** Reports how far the work is; the bar appears on the first report after `delayMs`. */
  update(value: number, total: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

/**
 * The progress bar of the long operator commands: on stderr, only when it is a terminal (a pipe
 * or a log file gets the result line alone), and only once the work has run for `delayMs`.
 */
export const progressBar = (format: string, options: { delayMs?: number } = {}): ProgressBar => {
  const startedAt = Date.now();
  const onTerminal = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  return {
    update: (value, total, payload = {}) => {
      if (!onTerminal) return;
      if (!bar) {
        if (Date.now() - startedAt < (options.delayMs ?? 0)) return;
        bar = new cliProgress.SingleBar({ stream: process.stderr, format }, cliProgress.Presets.shades_classic);
        bar.start(total, value, payload);
        return;
      }
      bar.setTotal(total);
      bar.update(value, payload);
    },
    stop: () => bar?.stop(),
  };
};

const afterMs = Number(process.env.PROFILE_REGISTRY_PROGRESS_AFTER_MS);

/** `verify` and `export` show their bar once they have run this long (1 s; the tests set it through the environment). */
export const PROGRESS_AFTER_MS = Number.isFinite(afterMs) && afterMs >= 0 ? afterMs : 1000;
