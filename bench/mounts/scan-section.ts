import { lstatSync, type Dirent } from 'node:fs';
import { link, readdir, rm } from 'node:fs/promises';
import { createServer as createSocketServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { scanForMasks, type MaskScanResult } from '../../src/main/services/mounts/mask-scan';
import { collectSecretInodes } from '../../src/main/services/mounts/secret-inodes';
import { DEFAULT_BLOCKED_PATTERNS } from '../../src/shared/schemas/mounts';
import { ms, ratio, verdict } from '../sessions/stats';
import { median } from './common';
import { ensureTree } from './tree';

// 1. The mask scan of a generated tree (tree.ts) against a plain walk of it.

const SCAN_RUNS = 5;

/** The reference: a plain depth-first walk, a readdir with file types per folder, lstat per file. */
async function plainWalk(root: string): Promise<number> {
  let entries = 0;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let list: Dirent[];
    try {
      list = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries += list.length;
    for (const entry of list) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else lstatSync(path);
    }
  }
  return entries;
}

export async function maskScanSection(): Promise<void> {
  const { tree, home } = await ensureTree();
  const socketPath = join(tree, 'package-60/agent.sock');
  await rm(socketPath, { force: true });
  const socket = createSocketServer();
  await new Promise<void>((done) => socket.listen(socketPath, done));
  const linked = join(tree, 'package-80/folder-5/sub-5/notes-backup.txt');
  try {
    // The scan's own bounds (5 s, 2,000,000 entries), as a validation runs it.
    const options = async () => ({
      patterns: [...DEFAULT_BLOCKED_PATTERNS],
      protectedPaths: [],
      secretInodes: await collectSecretInodes(home, []),
    });
    const run = async (withHardLink: boolean) => {
      await rm(linked, { force: true });
      if (withHardLink) await link(join(home, '.ssh/id_ed25519'), linked);
      const scanOptions = await options();
      const aigo: number[] = [];
      const plain: number[] = [];
      let last: MaskScanResult | null = null;
      let entries = 0;
      for (let i = 0; i < SCAN_RUNS; i++) {
        const order = i % 2 ? (['plain', 'aigo'] as const) : (['aigo', 'plain'] as const);
        for (const which of order) {
          const started = performance.now();
          if (which === 'aigo') last = await scanForMasks(tree, scanOptions);
          else entries = await plainWalk(tree);
          (which === 'aigo' ? aigo : plain).push(performance.now() - started);
        }
      }
      await rm(linked, { force: true });
      return { aigo: median(aigo), plain: median(plain), result: last as MaskScanResult, entries };
    };
    const usual = await run(false);
    const hardLinked = await run(true);
    for (const r of [usual, hardLinked])
      if (r.result.incomplete) throw new Error('the mask scan stopped before the end of the tree');
    console.log(
      `\nMask scan of ${usual.entries.toLocaleString('en')} entries (100,000 files) vs a plain walk (readdir + lstat of each file), median of ${SCAN_RUNS}`,
    );
    console.table({
      'keys with one name (the usual home)': {
        'aigo ms': ms(usual.aigo),
        'plain walk ms': ms(usual.plain),
        ratio: ratio(usual.aigo, usual.plain),
        complete: !usual.result.incomplete,
        masked: usual.result.masked.length,
        target: '≤ 1.1x, whole tree',
        verdict: verdict(!usual.result.incomplete && usual.aigo <= 1.1 * usual.plain),
      },
      'a key hard-linked in the tree (every file checked)': {
        'aigo ms': ms(hardLinked.aigo),
        'plain walk ms': ms(hardLinked.plain),
        ratio: ratio(hardLinked.aigo, hardLinked.plain),
        complete: !hardLinked.result.incomplete,
        masked: hardLinked.result.masked.length,
        target: '≤ 1.1x, whole tree',
        verdict: verdict(
          !hardLinked.result.incomplete && hardLinked.aigo <= 1.1 * hardLinked.plain,
        ),
      },
    });
    console.log(
      `masked: ${usual.result.masked.map((m) => `${m.path} (${m.pattern})`).join(', ')}; with the hard link also ${hardLinked.result.masked
        .filter((m) => m.pattern.startsWith('hard link'))
        .map((m) => m.path)
        .join(', ')}`,
    );
  } finally {
    await new Promise<void>((done) => socket.close(() => done()));
  }
}
