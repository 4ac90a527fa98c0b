import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { problem } from './problem.js';
import { endAfterDiscarding } from './unread-body.js';

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout', 'the request was not received in time'],
  HPE_HEADER_OVERFLOW: [431, 'headers-too-large', 'request headers are larger than the limit'],
};

const answered = new WeakSet<Socket>();

const answerOnSocket = (error: Error & { code?: string }, socket: Socket): void => {
  const [status, slug, detail] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'malformed-request', 'malformed HTTP request'];
  const body = JSON.stringify(problem(status, slug, detail));
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  endAfterDiscarding(
    socket,
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
};

/**
 * The answer Node's HTTP server is writing on the socket (the field its own default handler reads)
 * to a request it has read whole: the error is then about bytes after that request.
 */
const answerToWholeRequest = (socket: Socket): ServerResponse | undefined => {
  const message = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return message && !message.writableFinished && message.req.complete ? message : undefined;
};

/**
 * Errors of Node's HTTP parser and request timeouts (before Fastify sees a request): answered as
 * problem+json on the raw socket, which is then closed. Bytes that follow a whole request in the
 * same packet are parsed while that request is still being served: its answer goes out first (a
 * write the client is told was refused must not have been made), and this one after it, if the
 * connection is still open then.
 */
export const problemClientErrorHandler = (error: Error & { code?: string }, socket: Socket): void => {
  // the parser reports again for every later piece of what the client sends: one answer is enough
  if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
  answered.add(socket);
  const inFlight = answerToWholeRequest(socket);
  if (inFlight) {
    let waited = false;
    const after = () => {
      if (waited) return;
      waited = true;
      // a connection the answer closed (Connection: close) is left to Node to end once its bytes are out
      if (socket.destroyed || !socket.writable) return;
      answerOnSocket(error, socket);
    };
    inFlight.once('finish', after);
    inFlight.once('close', after);
    return;
  }
  answerOnSocket(error, socket);
};
