import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forEachLine, readPosted, scanBackward } from '../../src/main/services/audit/audit-lines';
import { tempDir } from '../helpers/temp';

interface Line {
  text: string;
  offset: number;
  length: number;
}

/** The lines of `bytes` split at 0x0a (the unterminated last one too), with byte offsets. */
function splitLines(bytes: Buffer): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, start)) {
    if (nl > start)
      lines.push({ text: bytes.toString('utf8', start, nl), offset: start, length: nl - start });
    start = nl + 1;
  }
  if (start < bytes.length)
    lines.push({
      text: bytes.toString('utf8', start),
      offset: start,
      length: bytes.length - start,
    });
  return lines;
}

/** Lines from empty to longer than a 1 MB chunk, multi-byte characters across every boundary. */
function randomText(seed: number): string {
  let s = seed * 2654435761;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const pieces = ['a', 'ü', '日本', '😀', ' needle ', '"id":"x"'];
  const lines: string[] = [];
  for (let i = 0; i < 120; i++) {
    const size = next() < 0.05 ? 1_200_000 : next() < 0.3 ? Math.floor(next() * 70_000) : 40;
    let line = `${i}:`;
    while (line.length < size) line += pieces[Math.floor(next() * pieces.length)]!.repeat(50);
    lines.push(next() < 0.05 ? '' : line);
  }
  return lines.join('\n') + (next() < 0.5 ? '\n' : '');
}

describe('reading audit lines by byte offset', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it.each([1, 2, 3])(
    'reads every line forwards, backwards and by posting (seed %i)',
    async (seed) => {
      const file = join(dir.path, 'lines');
      const bytes = Buffer.from(randomText(seed));
      await writeFile(file, bytes);
      const expected = splitLines(bytes);

      const forwards: Line[] = [];
      await forEachLine(
        file,
        (text, offset, length) => void forwards.push({ text, offset, length }),
      );
      expect(forwards).toEqual(expected);

      const handle = await open(file, 'r');
      try {
        const backwards: Line[] = [];
        await scanBackward(handle, bytes.length, [], (text, offset, length) => {
          backwards.push({ text, offset, length });
        });
        expect(backwards).toEqual([...expected].reverse());

        // Only lines with every needle; from a line's start in the middle; stopping when told.
        const needles = [Buffer.from(' needle '), Buffer.from('😀')];
        const middle = expected[Math.floor(expected.length / 2)]!.offset;
        const found: Line[] = [];
        await scanBackward(handle, middle, needles, (text, offset, length) => {
          found.push({ text, offset, length });
          return found.length === 7;
        });
        expect(found).toEqual(
          expected
            .filter(
              (l) => l.offset < middle && l.text.includes(' needle ') && l.text.includes('😀'),
            )
            .reverse()
            .slice(0, 7),
        );

        const posted = expected.filter((_, i) => i % 3 !== 1);
        const list = posted.flatMap((l) => [l.offset, l.length]);
        const read: Line[] = [];
        await readPosted(handle, list, bytes.length, 5, (text, offset, length) => {
          read.push({ text, offset, length });
        });
        expect(read).toEqual([...posted].reverse());
      } finally {
        await handle.close();
      }
    },
  );

  it('skips a line too long to be an entry, in bounded memory, and keeps its neighbours', async () => {
    const file = join(dir.path, 'long');
    const huge = 'x'.repeat(17 * 1024 * 1024);
    await writeFile(file, `first\n${huge}\nlast\n`);
    const forwards: string[] = [];
    await forEachLine(file, (text) => void forwards.push(text));
    expect(forwards).toEqual(['first', 'last']);
    const handle = await open(file, 'r');
    try {
      const backwards: string[] = [];
      await scanBackward(handle, (await handle.stat()).size, [], (text) => {
        backwards.push(text);
      });
      expect(backwards).toEqual(['last', 'first']);
    } finally {
      await handle.close();
    }
  });
});
