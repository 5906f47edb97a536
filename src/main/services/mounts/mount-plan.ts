import { stat } from 'node:fs/promises';
import type { FileIdentity, ValidatedMount } from './validator';

export interface BindMount {
  Type: 'bind';
  Source: string;
  Target: string;
  ReadOnly: boolean;
}

/** What a started container must show at each mount target: the file aigo validated. */
export interface ExpectedMount {
  target: string;
  source: string;
  identity: FileIdentity;
}

/**
 * The engine's bind mounts for allowed verdicts: each real path at its container path, an
 * empty read-only placeholder over every masked entry, and what each target must show once
 * the container runs (checked by `MountVerifier`).
 */
export async function bindMounts(
  verdicts: readonly ValidatedMount[],
  placeholders: { directory: string; file: string },
): Promise<{ mounts: BindMount[]; expected: ExpectedMount[] }> {
  const [dirId, fileId] = await Promise.all([
    identityOf(placeholders.directory),
    identityOf(placeholders.file),
  ]);
  const mounts: BindMount[] = [];
  const expected: ExpectedMount[] = [];
  const add = (mount: BindMount, identity: FileIdentity | undefined) => {
    mounts.push(mount);
    if (identity) expected.push({ target: mount.Target, source: mount.Source, identity });
  };
  for (const v of verdicts) {
    add(
      {
        Type: 'bind',
        Source: v.realPath as string,
        Target: v.containerPath as string,
        ReadOnly: v.readonly,
      },
      v.identity,
    );
    for (const m of v.masked) {
      const dir = m.kind === 'directory';
      add(
        {
          Type: 'bind',
          Source: dir ? placeholders.directory : placeholders.file,
          Target: `${v.containerPath}/${m.path.split(/[\\/]/).join('/')}`,
          ReadOnly: true,
        },
        dir ? dirId : fileId,
      );
    }
  }
  return { mounts, expected };
}

async function identityOf(path: string): Promise<FileIdentity> {
  const info = await stat(path);
  return { dev: info.dev, ino: info.ino };
}
