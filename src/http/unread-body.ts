import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How much of a refused body is read and thrown away so that the client sees the refusal. */
export const DISCARD_LIMIT_BYTES = 16 * 1024 * 1024;
const DISCARD_TIMEOUT_MS = 10_000;

/**
 * Reads and discards what is left of a stream, up to DISCARD_LIMIT_BYTES or DISCARD_TIMEOUT_MS;
 * resolves true when the stream ended within them.
 */
const discardRest = (stream: IncomingMessage | Socket): Promise<boolean> =>
  new Promise((resolve) => {
    let seen = 0;
    const finish = (ended: boolean) => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onFailure);
      stream.off('close', onFailure);
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DISCARD_LIMIT_BYTES) finish(false);
    };
    const onEnd = () => finish(true);
    const onFailure = () => finish(false);
    const timer = setTimeout(() => finish(false), DISCARD_TIMEOUT_MS);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onFailure);
    stream.once('close', onFailure);
    stream.resume();
  });

/**
 * A request that announces no body: nothing is left to read, though Node marks it complete only
 * after the turn that emitted it (an answer sent within that turn would otherwise close the connection).
 */
const sendsNoBody = (raw: IncomingMessage): boolean =>
  raw.headers['transfer-encoding'] === undefined && (raw.headers['content-length'] === undefined || raw.headers['content-length'] === '0');

/**
 * An answer sent before the body was read (413 over the limit, 415, 401 from the access hook)
 * waits until the rest of the body is read and discarded, then closes the connection. Sent at
 * once, Node would close the socket while the client is still writing, and a client that writes
 * its whole body before it reads (node:http) would see EPIPE or ECONNRESET instead of the answer.
 */
export const registerUnreadBodyDrain = (app: FastifyInstance): void => {
  app.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw;
    if (raw.complete || raw.readableEnded || raw.destroyed || sendsNoBody(raw)) return done(null, payload);
    reply.header('connection', 'close');
    void discardRest(raw).then(() => done(null, payload));
  });
};

/**
 * For an answer written on the raw socket (431 and other parser errors): the socket is half-closed
 * after the answer and what the client still sends is read and discarded (bounded), so that its
 * write does not meet a reset before it reads the answer.
 */
export const endAfterDiscarding = (socket: Socket, answer: string): void => {
  socket.end(answer);
  void discardRest(socket).then(() => socket.destroy());
};
