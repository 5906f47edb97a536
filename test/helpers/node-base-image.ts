import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const NODE_BASE_IMAGE = 'aigo-test-node-base:latest';
const APPLETS = [
  'sh',
  'grep',
  'echo',
  'mkdir',
  'chown',
  'cat',
  'ls',
  'rm',
  'id',
  'test',
  '[',
  'sleep',
  'env',
  'head',
  'tr',
  'true',
];

/**
 * An offline stand-in for node:22-slim: this machine's own node binary, the shared libraries
 * `ldd` lists for it, and static busybox for the shell the Dockerfile's RUN steps need,
 * imported with `docker import` (no registry is reachable here).
 */
export function ensureNodeBaseImage(): string {
  if (spawnSync('docker', ['image', 'inspect', NODE_BASE_IMAGE], { stdio: 'ignore' }).status === 0)
    return NODE_BASE_IMAGE;
  if (!existsSync('/bin/busybox'))
    throw new Error('Static busybox is missing: apt-get install busybox-static (.ci/run does it).');
  const root = mkdtempSync(join(tmpdir(), 'aigo-node-rootfs-'));
  try {
    const copy = (from: string, to: string) => {
      mkdirSync(dirname(join(root, to)), { recursive: true });
      copyFileSync(realpathSync(from), join(root, to));
      chmodSync(join(root, to), 0o755);
    };
    copy(process.execPath, '/usr/local/bin/node');
    const ldd = execFileSync('ldd', [process.execPath]).toString();
    for (const match of ldd.matchAll(/(\/[^\s]+\.so[^\s]*)/g))
      copy(match[1] as string, match[1] as string);
    copy('/bin/busybox', '/bin/busybox');
    for (const applet of APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
    mkdirSync(join(root, 'tmp'), { mode: 0o1777 });
    chmodSync(join(root, 'tmp'), 0o1777);
    const tar = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 512 * 1024 * 1024 });
    execFileSync(
      'docker',
      ['import', '--change', 'ENV PATH=/usr/local/bin:/bin', '-', NODE_BASE_IMAGE],
      { input: tar.stdout, maxBuffer: 64 * 1024 * 1024 },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return NODE_BASE_IMAGE;
}
