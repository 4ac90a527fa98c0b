import { createServer } from 'node:net';

const CAUSES: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'address not available',
};

/**
 * Fails (one line) when `serve` could not listen on host:port, before it opens, creates or seeds
 * a database: it binds the address for a moment and lets it go.
 */
export const requireFreePort = (host: string, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    if (port === 0) return resolve();
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const cause = CAUSES[error.code ?? ''] ?? error.message;
      reject(new Error(`cannot listen on ${host}:${port}: ${cause}`));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
