import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';

/** The structured logger of the HTTP server, handed to Fastify as its logger instance. */
export const createLogger = (level: string, stream?: { write(line: string): void }): FastifyBaseLogger =>
  pino({ level, redact: ['req.headers.authorization', 'req.headers.cookie'] }, stream ?? pino.destination(1));
