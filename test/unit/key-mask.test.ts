import { describe, expect, it } from 'vitest';
import { PassThrough, Writable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { relayBody } from '../../src/main/services/proxy/body-relay';
import { KeyMask } from '../../src/main/services/proxy/key-mask';

const KEY = 'sk-ant-api03-MASKKEY-0123456789abcdef';

/** Runs `chunks` through a mask; returns what came out, chunk by chunk. */
function through(chunks: string[]): string[] {
  const mask = new KeyMask(Buffer.from(KEY));
  const out = chunks.map((c) => mask.push(Buffer.from(c)));
  out.push(mask.end());
  return out.filter((c) => c.length).map((c) => c.toString());
}

describe('the response-body key mask', () => {
  it('masks every copy of the key, however the body is cut, and keeps its length', () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 300; round++) {
      const parts = Array.from({ length: 1 + random(4) }, () => 'x'.repeat(random(40)));
      // Near-misses too: the key's start without its end, right before a real copy.
      const body = parts.join(round % 3 ? KEY : `${KEY.slice(0, 10)}${KEY}`);
      const cuts = Array.from({ length: random(6) }, () => random(body.length + 1)).sort(
        (a, b) => a - b,
      );
      const chunks = [0, ...cuts, body.length]
        .slice(1)
        .map((end, i, all) => body.slice(i ? (all[i - 1] as number) : 0, end))
        .filter(Boolean);
      const out = through(chunks).join('');
      expect(out).toBe(body.split(KEY).join('*'.repeat(KEY.length)));
    }
  });

  it('holds nothing back unless a chunk ends like the start of the key', () => {
    const out = through(['data: {"a":1}\n\n', 'data: {"b":2}\n\n', 'ends with sk-ant', '-x']);
    expect(out.slice(0, 2)).toEqual(['data: {"a":1}\n\n', 'data: {"b":2}\n\n']);
    expect(out.join('')).toBe('data: {"a":1}\n\ndata: {"b":2}\n\nends with sk-ant-x');
  });

  it('pauses the upstream while the client cannot take more, resumes it on drain, and ends with what was held', async () => {
    const upstream = new PassThrough();
    const written: string[] = [];
    let release: () => void = () => undefined;
    const res = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString());
        // The client takes its time: each write completes when the test says.
        release = () => {
          release = () => undefined;
          done();
        };
      },
    });
    let ended = false;
    res.on('finish', () => (ended = true));
    relayBody(upstream, res, new KeyMask(Buffer.from(KEY)));
    upstream.write(`${'a'.repeat(100)}${KEY}`);
    await tick();
    expect(upstream.isPaused()).toBe(true);
    release();
    await tick();
    expect(upstream.isPaused()).toBe(false);
    upstream.end(KEY.slice(0, 5)); // ends like the key's start: held, then sent as it was
    for (let i = 0; i < 5 && !ended; i++) {
      release();
      await tick();
    }
    expect(ended).toBe(true);
    expect(written.join('')).toBe(`${'a'.repeat(100)}${'*'.repeat(KEY.length)}${KEY.slice(0, 5)}`);
  });
});
