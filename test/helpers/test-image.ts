import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BUSYBOX_IMAGE = 'aigo-test-busybox:latest';
const APPLETS = [
  'sh',
  'cat',
  'ls',
  'echo',
  'touch',
  'id',
  'mkdir',
  'rm',
  'wc',
  'sleep',
  'true',
  'false',
  'test',
  'stat',
  'head',
  'printf',
];

/**
 * A tiny image made offline: Debian's static busybox in an empty root filesystem, imported
 * with `docker import` (no registry can be reached here).
 */
export function ensureBusyboxImage(): string {
  if (spawnSync('docker', ['image', 'inspect', BUSYBOX_IMAGE], { stdio: 'ignore' }).status === 0)
    return BUSYBOX_IMAGE;
  if (!existsSync('/bin/busybox'))
    throw new Error('Static busybox is missing: apt-get install busybox-static (.ci/run does it).');
  const root = mkdtempSync(join(tmpdir(), 'aigo-rootfs-'));
  try {
    for (const dir of ['bin', 'tmp', 'workspace', 'etc']) mkdirSync(join(root, dir));
    chmodSync(join(root, 'tmp'), 0o1777);
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    for (const applet of APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
    const tar = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
    execFileSync('docker', ['import', '--change', 'ENV PATH=/bin', '-', BUSYBOX_IMAGE], {
      input: tar.stdout,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return BUSYBOX_IMAGE;
}
