import { describe, expect, it } from 'vitest';
import { KeyMask } from '../../src/main/services/proxy/key-mask';

const KEY = 'sk-ant-api03-MASKKEY-0123456789abcdef';

/** Runs `chunks` through a mask; returns what came out, chunk by chunk. */
async function through(chunks: string[]): Promise<string[]> {
  const mask = new KeyMask(Buffer.from(KEY));
  const out: string[] = [];
  mask.on('data', (c: Buffer) => out.push(c.toString()));
  const ended = new Promise((resolve) => mask.on('end', resolve));
  for (const c of chunks) mask.write(Buffer.from(c));
  mask.end();
  await ended;
  return out;
}

describe('the response-body key mask', () => {
  it('masks every copy of the key, however the body is cut, and keeps its length', async () => {
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
      const out = (await through(chunks)).join('');
      expect(out).toBe(body.split(KEY).join('*'.repeat(KEY.length)));
    }
  });

  it('holds nothing back unless a chunk ends like the start of the key', async () => {
    const out = await through(['data: {"a":1}\n\n', 'data: {"b":2}\n\n', 'ends with sk-ant', '-x']);
    expect(out.slice(0, 2)).toEqual(['data: {"a":1}\n\n', 'data: {"b":2}\n\n']);
    expect(out.join('')).toBe('data: {"a":1}\n\ndata: {"b":2}\n\nends with sk-ant-x');
  });
});
