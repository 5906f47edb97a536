import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { deferredLogger } from '../../src/main/services/logging/deferred-logger';

function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug', base: undefined, timestamp: false }, stream), lines };
}

describe('the start-up logger, before the app log is there', () => {
  it('keeps what is logged, with its child bindings, and writes it in order once the log comes', async () => {
    const early = deferredLogger();
    const http = early.logger.child({ scope: 'http' });
    http.error({ path: '/x' }, 'first');
    early.logger.info('second');
    http.child({ request: 1 }).debug('third');
    const { logger, lines } = memoryLogger();
    expect(lines).toEqual([]);
    early.resolve(logger);
    http.warn('after');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.msg, l.scope, l.level])).toEqual([
      ['first', 'http', 50],
      ['second', undefined, 30],
      ['third', 'http', 20],
      ['after', 'http', 40],
    ]);
    expect(lines[0]).toMatchObject({ path: '/x' });
    expect(lines[2]).toMatchObject({ request: 1 });
    expect(http.level).toBe('debug');
    // Handed over once: a second log changes nothing.
    const other = memoryLogger();
    early.resolve(other.logger);
    http.info('still the first');
    await new Promise((r) => setImmediate(r));
    expect(other.lines).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ msg: 'still the first' });
  });

  it('keeps at most 1,000 lines and says how many it dropped', async () => {
    const early = deferredLogger();
    for (let i = 0; i < 1005; i++) early.logger.info(`line ${i}`);
    const { logger, lines } = memoryLogger();
    early.resolve(logger);
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1001);
    expect(lines[999]).toMatchObject({ msg: 'line 999' });
    expect(lines[1000]).toMatchObject({
      dropped: 5,
      msg: 'Log lines of the start-up were dropped',
    });
  });
});
