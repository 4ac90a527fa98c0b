/**
 * The database cannot be reached (down, restarting, refusing connections, timed out). The HTTP
 * layer answers 503 with Retry-After; the process stays up and reconnects when it comes back.
 */
export class DatabaseUnavailable extends Error {
  constructor(cause: unknown) {
    super(`database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseUnavailable';
  }
}

export const isDatabaseUnavailable = (error: unknown): error is DatabaseUnavailable => error instanceof DatabaseUnavailable;
