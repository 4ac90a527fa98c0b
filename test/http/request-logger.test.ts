import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { makeRequestLoggersLazy } from '../../src/http/request-logger.js';

const collected = (level: string) => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  let children = 0;
  const child = logger.child;
  logger.child = function (this: typeof logger, ...args: Parameters<typeof child>) {
    children += 1;
    return child.apply(this, args);
  } as typeof logger.child;
  makeRequestLoggersLazy(logger);
  return { logger, lines, children: () => children };
};

describe('the request logger', () => {
  it('makes the pino child with the request id on the first line its level lets through, and only then', () => {
    const { logger, lines, children } = collected('warn');
    const log = logger.child({ reqId: 'r-1' }, {});
    log.info({ detail: 'below the level' }, 'request refused');
    log.debug('below the level');
    expect(children()).toBe(0);
    log.warn({ detail: 'x' }, 'database unavailable');
    log.error(new Error('boom'));
    expect(children()).toBe(1);
    expect(lines.map(({ reqId, msg, level }) => ({ reqId, msg, level }))).toEqual([
      { reqId: 'r-1', msg: 'database unavailable', level: 40 },
      { reqId: 'r-1', msg: 'boom', level: 50 },
    ]);
  });

  it('answers as the pino child would: its level, a level set on it, its own children', () => {
    const { logger, lines } = collected('info');
    const log = logger.child({ reqId: 'r-2' }, {});
    expect(log.level).toBe('info');
    log.level = 'debug';
    log.debug('now shown');
    expect(logger.level).toBe('info');
    log.child({ part: 'feed' }).info('from a child');
    expect(lines.map(({ reqId, part, msg }) => ({ reqId, part, msg }))).toEqual([
      { reqId: 'r-2', part: undefined, msg: 'now shown' },
      { reqId: 'r-2', part: 'feed', msg: 'from a child' },
    ]);
  });

  it('gives a route with its own level its pino child at once', () => {
    const { logger, lines, children } = collected('warn');
    const log = logger.child({ reqId: 'r-3' }, { level: 'debug' });
    expect(children()).toBe(1);
    log.debug('shown at the route level');
    expect(lines.map(({ msg }) => msg)).toEqual(['shown at the route level']);
  });

  it("makes only the root's own children lazy: a child's child is a pino child at once", () => {
    const { logger, lines, children } = collected('info');
    const made = logger.child({ reqId: 'r-4' }, {});
    expect(children()).toBe(0);
    const real = made.child({ part: 'a' });
    expect(children()).toBe(2);
    real.child({ more: 'b' }).info('nested');
    expect(children()).toBe(3);
    expect(lines.map(({ reqId, part, more, msg }) => ({ reqId, part, more, msg }))).toEqual([{ reqId: 'r-4', part: 'a', more: 'b', msg: 'nested' }]);
  });
});
