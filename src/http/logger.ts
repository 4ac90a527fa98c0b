import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { redactLogFields } from '../domain/secrets.js';

/** The structured logger of the HTTP server, handed to Fastify as its logger instance; every line's fields pass the secret detector. */
export const createLogger = (level: string, stream?: { write(line: string): void }): FastifyBaseLogger =>
  pino(
    { level, redact: ['req.headers.authorization', 'req.headers.cookie'], formatters: { log: (fields) => redactLogFields(fields) } },
    stream ?? pino.destination(1),
  );
