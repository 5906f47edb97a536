import type * as FsPromises from 'node:fs/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_BLOCKED_PATTERNS } from '../../src/shared/schemas/mounts';
import { tempDir } from '../helpers/temp';

/** Counts the folder listings the mask scan has in flight at once. */
const listings = vi.hoisted(() => ({ inFlight: 0, most: 0, total: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  const readdir = (async (...args: Parameters<typeof fs.readdir>) => {
    listings.inFlight++;
    listings.total++;
    listings.most = Math.max(listings.most, listings.inFlight);
    try {
      return await fs.readdir(...args);
    } finally {
      listings.inFlight--;
    }
  }) as typeof fs.readdir;
  return { ...fs, default: { ...fs, readdir }, readdir };
});

const { scanForMasks } = await import('../../src/main/services/mounts/mask-scan');

let t: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  t = await tempDir('aigo-scan-concurrency-');
  for (let a = 0; a < 12; a++)
    for (let b = 0; b < 6; b++) {
      const dir = join(t.path, `a${a}`, `b${b}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, b === 5 ? '.env' : 'file.txt'), 'x');
    }
});
afterAll(() => t.cleanup());

describe('the mask scan lists folders concurrently, within its bound', () => {
  const scan = (concurrency?: number) => {
    listings.most = 0;
    listings.total = 0;
    return scanForMasks(t.path, {
      patterns: [...DEFAULT_BLOCKED_PATTERNS],
      protectedPaths: [],
      // Every listing through the thread pool (a scan lists its first few synchronously).
      syncListingEntries: 0,
      ...(concurrency ? { concurrency } : {}),
    });
  };

  it('keeps several listings in flight, never more than asked', async () => {
    const found = await scan(3);
    expect(found.masked).toHaveLength(12);
    expect(listings.total).toBe(1 + 12 + 72);
    expect(listings.most).toBe(3);
  });

  it('lists one folder at a time when asked to', async () => {
    const found = await scan(1);
    expect(found.masked).toHaveLength(12);
    expect(listings.most).toBe(1);
  });

  it('has a bounded default', async () => {
    await scan();
    expect(listings.most).toBeGreaterThan(1);
    expect(listings.most).toBeLessThanOrEqual(16);
  });
});
