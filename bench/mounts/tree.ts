import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './common';

/** Generated once and kept: creating 110,000 files takes longer than scanning them. */
const CACHE = join(ROOT, 'node_modules/.cache/aigo-bench/mounts-v1');

/**
 * 100 packages of 100 folders (10,000), ten files each (100,000), and what a real project
 * hides: .env files at several depths, a private key, a FIFO, a git config with a token in
 * its remote URL; a socket is added while the scan runs. Also a user's home beside it, with
 * keys for the hard-link check.
 */
export async function ensureTree(): Promise<{ tree: string; home: string }> {
  const tree = join(CACHE, 'tree');
  const home = join(CACHE, 'home');
  if (existsSync(join(CACHE, 'complete'))) return { tree, home };
  console.log('\n(mask scan: generating 100,000 files in 10,000 folders, once)');
  await rm(CACHE, { recursive: true, force: true });
  await mkdir(join(home, '.ssh'), { recursive: true });
  await mkdir(join(home, '.aws'), { recursive: true });
  await writeFile(join(home, '.ssh/id_ed25519'), 'PRIVATE KEY');
  await writeFile(join(home, '.aws/credentials'), 'AWS');
  // Each package: itself, 9 folders, 10 subfolders in each: 100 folders of 10 files.
  for (let p = 0; p < 100; p++) {
    const pkg = join(tree, `package-${p}`);
    const dirs = [pkg];
    for (let f = 0; f < 9; f++) {
      dirs.push(join(pkg, `folder-${f}`));
      for (let s = 0; s < 10; s++) dirs.push(join(pkg, `folder-${f}`, `sub-${s}`));
    }
    for (const dir of dirs) {
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 10; i++) closeSync(openSync(join(dir, `module-${i}.ts`), 'w'));
    }
  }
  for (const rel of ['.env', 'package-3/.env.local', 'package-50/folder-4/sub-7/.env'])
    await writeFile(join(tree, rel), 'API_KEY=secret');
  await writeFile(join(tree, 'package-9/folder-2/id_rsa'), 'KEY');
  await mkdir(join(tree, 'package-20/.git'), { recursive: true });
  await writeFile(
    join(tree, 'package-20/.git/config'),
    '[remote "origin"]\n\turl = https://me:token@example.com/r.git\n',
  );
  try {
    execFileSync('mkfifo', [join(tree, 'package-70/folder-1/pipe')]);
  } catch {
    // no mkfifo (not on this platform): the socket still tests a special file
  }
  await writeFile(join(CACHE, 'complete'), '');
  return { tree, home };
}
