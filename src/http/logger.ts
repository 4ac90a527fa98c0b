import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { redactLogFields, redactText, REDACTED } from '../domain/secrets.js';

/** A request's URL as logged: a `?contains=` query (JSON that may hold a secret) as "***", the rest through the secret detector. */
export const loggedUrl = (url: string): string => redactText(url.replace(/([?&]contains=)[^&]*/gi, `$1${REDACTED}`));

/** Fastify's request serializer, with the URL as `loggedUrl` shows it. */
const requestFields = (request: FastifyRequest) => ({
  method: request.method,
  url: loggedUrl(request.url),
  host: request.host,
  remoteAddress: request.ip,
  remotePort: request.socket?.remotePort,
});

/** The structured logger of the HTTP server, handed to Fastify as its logger instance; every line's fields pass the secret detector. */
export const createLogger = (level: string, stream?: { write(line: string): void }): FastifyBaseLogger =>
  pino(
    {
      level,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      serializers: { req: requestFields },
      formatters: { log: (fields) => redactLogFields(fields) },
    },
    stream ?? pino.destination(1),
  );
