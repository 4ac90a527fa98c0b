import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString, Logger } from 'pino';

type LogMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** pino's `child`, called on the logger it makes the child of. */
type MakeChild = (this: Logger, bindings: Bindings, options?: ChildLoggerOptions) => Logger;

/**
 * A request's logger (`request.log`): the pino child with the request id is made on the first line
 * the level lets through, not for every request (a child serializes its bindings when made, and
 * most requests log nothing below `info`).
 */
class RequestLogger {
  #child: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly pinoChild: MakeChild,
    private readonly bindings: Bindings,
  ) {}

  /** The pino child, made now if it was not yet. */
  get logger(): Logger {
    this.#child ??= this.pinoChild.call(this.parent, this.bindings);
    return this.#child;
  }

  get level(): LevelWithSilentOrString {
    return (this.#child ?? this.parent).level;
  }

  set level(level: LevelWithSilentOrString) {
    this.logger.level = level;
  }

  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.parent).isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options);
  }

  #write(method: LogMethod, args: unknown[]): void {
    if (!this.isLevelEnabled(method)) return;
    (this.logger[method] as (...each: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.#write('error', args);
  }

  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }

  info(...args: unknown[]): void {
    this.#write('info', args);
  }

  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }

  silent(): void {}
}

/**
 * Makes the request loggers of Fastify's logger (`app.log`) lazy: Fastify's default child logger
 * factory calls `logger.child({ reqId }, {})` for every request, and this answers a RequestLogger
 * (a request on a route with its own log level or serializers, and every other child, gets its
 * pino child at once). Done here rather than as a `childLoggerFactory` option, because Fastify
 * checks every logger a custom factory returns (`validateLogger`: seven method lookups by name and
 * a filter per request, about 2,100 instructions, a sixth of what a 304 costs beyond hello-world's).
 */
export const makeRequestLoggersLazy = (root: FastifyBaseLogger): void => {
  const pinoLogger = root as unknown as Logger;
  const pinoChild = pinoLogger.child as unknown as MakeChild;
  // pino's children inherit this property: only the root's own children are made lazy
  pinoLogger.child = function (this: Logger, bindings: Bindings, options?: ChildLoggerOptions) {
    if (this !== pinoLogger || options?.level !== undefined || options?.serializers !== undefined) return pinoChild.call(this, bindings, options);
    return new RequestLogger(pinoLogger, pinoChild, bindings) as unknown as Logger;
  } as MakeChild as unknown as Logger['child'];
};

/**
 * Fastify's access log (the "incoming request" and "request completed" lines), asked first whether
 * the request's logger lets the line through: Fastify builds each line's fields (and reads the
 * clock for `responseTime`) before the logger drops it, on every request at `--log-level warn`.
 */
const letsThrough = (log: FastifyBaseLogger, level: LogMethod): boolean => (log as unknown as Logger).isLevelEnabled(level);

export class LevelCheckedLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (letsThrough(request.log, 'info')) super.incomingRequest(request, reply, metadata);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (letsThrough(reply.log, error ? 'error' : 'info')) super.requestCompleted(error, request, reply, metadata);
  }
}
