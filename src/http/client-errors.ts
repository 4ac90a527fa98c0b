import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { problem } from './problem.js';
import { endAfterDiscarding } from './unread-body.js';

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout', 'the request was not received in time'],
  HPE_HEADER_OVERFLOW: [431, 'headers-too-large', 'request headers are larger than the limit'],
};

const answered = new WeakSet<Socket>();

/**
 * Errors of Node's HTTP parser and request timeouts (before Fastify sees a request): answered as
 * problem+json on the raw socket, which is then closed.
 */
export const problemClientErrorHandler = (error: Error & { code?: string }, socket: Socket): void => {
  // the parser reports again for every later piece of what the client sends: one answer is enough
  if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
  answered.add(socket);
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
