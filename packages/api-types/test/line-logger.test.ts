import { REDACTED, createLineLogger } from '../src';
import type { LineLoggerOptions } from '../src';

/** A logger whose lines are kept in memory, at a fixed local time. */
function recording(options: Partial<LineLoggerOptions> = {}) {
  const lines: string[] = [];
  const logger = createLineLogger({
    component: 'manager',
    sink: { write: (line: string) => lines.push(line) },
    now: () => new Date(2026, 11, 3, 14, 17, 2),
    ...options,
  });
  return { logger, lines };
}

describe('createLineLogger, the one logger of both daemons', () => {
  it('writes one text line per entry with time, level, component, message and fields', () => {
    const { logger, lines } = recording();
    logger.child({ worker: 'w1' }).warn('late', { mirror: 'debian', gone: undefined });
    expect(lines).toEqual([
      '[26-12-03 14:17:02][WARN][manager] late worker="w1" mirror="debian"\n',
    ]);
  });

  it('writes nothing below its level', () => {
    const { logger, lines } = recording({ level: 'warn' });
    logger.info('no');
    logger.debug('no');
    logger.error('yes');
    expect(lines).toEqual(['[26-12-03 14:17:02][ERROR][manager] yes\n']);
    const debug = recording({ level: 'debug', withSystemd: true });
    debug.logger.debug('yes');
    expect(debug.lines).toEqual(['[DEBUG] yes\n']);
  });

  it('orders fields parent, child, call; a later value wins', () => {
    const { logger, lines } = recording({ format: 'json', withSystemd: true });
    logger.child({ a: 1, b: 1 }).child({ b: 2, c: 2 }).info('m', { c: 3, d: 3 });
    expect(lines).toEqual([
      '{"level":"info","component":"manager","message":"m","a":1,"b":2,"c":3,"d":3}\n',
    ]);
  });

  it('scrubs every secret from the message and any field, the longest first', () => {
    const { logger, lines } = recording({ withSystemd: true, secrets: ['pw', 'pw-long', ''] });
    logger
      .child({ url: 'redis://:pw-long@h' })
      .info('sending pw', { env: { P: ['x pw x'] }, n: 3 });
    expect(lines).toEqual([
      `[INFO] sending ${REDACTED} url="redis://:${REDACTED}@h" env={"P":["x ${REDACTED} x"]} n=3\n`,
    ]);
  });

  it('drops stack fields unless asked for stack traces', () => {
    const plain = recording({ withSystemd: true });
    plain.logger.error('failed', { stack: 'Error: x\n    at y', mirror: 'm' });
    expect(plain.lines).toEqual(['[ERROR] failed mirror="m"\n']);
    const debug = recording({ withSystemd: true, stacks: true });
    debug.logger.error('failed', { stack: 'at y' });
    expect(debug.lines).toEqual(['[ERROR] failed stack="at y"\n']);
  });
});
