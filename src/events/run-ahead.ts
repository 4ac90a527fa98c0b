/** A guess that a batch run ahead was built on did not hold (or a statement of the batch failed): the batch is run again. */
export class GuessMissed extends Error {
  constructor(cause?: unknown) {
    super('a guess of the batch run ahead did not hold', cause === undefined ? undefined : { cause });
  }
}

/**
 * Answers that only confirm a guess (the append's "the head was still the one I guessed", a stored
 * fingerprint that this process wrote last), collected while the command bus runs a batch ahead:
 * the batch goes on without waiting for them, and they are checked once, before it commits. Each
 * such wait would otherwise be a round trip to the database per command.
 */
export interface RunAhead {
  /** Collects an answer that must be true; false or a rejection makes `settle` throw `GuessMissed`. */
  confirm(check: Promise<boolean>): void;
  /**
   * Runs `last` once, when the batch is settled and before its answers are waited for (its answer is
   * confirmed with them): what a store put off to the batch's end, such as moving a head once
   * instead of once per command.
   */
  atEnd(key: object, last: () => Promise<boolean>): void;
}

export interface RunAheadBatch extends RunAhead {
  /** Waits for every collected answer; throws `GuessMissed` if one did not hold. */
  settle(): Promise<void>;
}

export const createRunAhead = (): RunAheadBatch => {
  const checks: Promise<unknown>[] = [];
  const lasts = new Map<object, () => Promise<boolean>>();
  let missed: GuessMissed | undefined;
  const confirm = (check: Promise<boolean>) => {
    // caught at once: a rejection waits here for settle, not as an unhandled rejection
    checks.push(
      check.then(
        (held) => {
          if (!held) missed ??= new GuessMissed();
        },
        (error: unknown) => {
          missed ??= new GuessMissed(error);
        },
      ),
    );
  };
  return {
    confirm,
    atEnd: (key, last) => {
      if (!lasts.has(key)) lasts.set(key, last);
    },
    settle: async () => {
      for (const last of lasts.values()) confirm(new Promise<boolean>((resolve) => resolve(last())));
      await Promise.all(checks);
      if (missed) throw missed;
    },
  };
};
