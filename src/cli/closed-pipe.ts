/** The exit status of a process that SIGPIPE ended, as shells report it (128 + 13). */
const CLOSED_PIPE_STATUS = 141;

/**
 * `profile-registry history | head -1`: once the reader has gone, a write to stdout fails with
 * EPIPE, which Node throws as an unhandled 'error' (a stack trace). Every command then stops
 * quietly, as a Unix tool that SIGPIPE ends does, with status 141.
 */
export const exitQuietlyOnClosedPipe = (): void => {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(CLOSED_PIPE_STATUS);
      throw error;
    });
  }
};
