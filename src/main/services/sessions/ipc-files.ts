import { createHash } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_IPC_FILE_BYTES, type IpcOrigin } from './ipc-messages';

/** An IPC file that will never be handed on: it goes to errors/, with the reason. */
export class Malformed extends Error {}

/** The longest file name most file systems take, in bytes. */
const NAME_MAX = 255;
/** Linux names an open folder by its descriptor: a path through it cannot be redirected. */
const FD_PATHS = process.platform === 'linux' && existsSync('/proc/self/fd');
const FOLDER_FLAGS =
  constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** The file's name, or a stable short one when `{kind}--{name}` would not fit in claimed/. */
export function claimableName(kind: IpcOrigin['kind'], name: string): string {
  if (Buffer.byteLength(`${kind}--${name}`) <= NAME_MAX) return name;
  return `~${createHash('sha256').update(name).digest('hex').slice(0, 32)}.json`;
}

/** An agent-owned folder, opened without following a link; `path(name)` names a file in it. */
export async function openFolder(
  dir: string,
): Promise<{ path(name: string): string; close(): Promise<void> } | null> {
  if (process.platform === 'win32') {
    const info = await lstat(dir).catch(() => null);
    return info?.isDirectory()
      ? { path: (name) => join(dir, name), close: () => Promise.resolve() }
      : null;
  }
  let handle: FileHandle;
  try {
    handle = await open(dir, FOLDER_FLAGS);
  } catch {
    return null; // a link (ELOOP), not a folder (ENOTDIR), or gone
  }
  if (!(await handle.stat()).isDirectory()) {
    await handle.close();
    return null;
  }
  return {
    path: (name) => (FD_PATHS ? `/proc/self/fd/${handle.fd}/${name}` : join(dir, name)),
    close: () => handle.close(),
  };
}

/** Reads a claimed file: a regular file only (never a link, FIFO or device), bounded in size. */
export async function readRegularFile(path: string): Promise<unknown> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw new Malformed(
      `cannot open it (${(error as NodeJS.ErrnoException).code ?? 'error'}); links are not followed`,
    );
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Malformed('not a regular file');
    if (info.size > MAX_IPC_FILE_BYTES)
      throw new Malformed(`${info.size} bytes, more than the ${MAX_IPC_FILE_BYTES} allowed`);
    // The agent may still hold the file open and grow it after the size was checked.
    const buffer = Buffer.alloc(MAX_IPC_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_IPC_FILE_BYTES)
      throw new Malformed(`more than the ${MAX_IPC_FILE_BYTES} bytes allowed`);
    try {
      return JSON.parse(buffer.subarray(0, length).toString('utf8')) as unknown;
    } catch {
      throw new Malformed('not valid JSON');
    }
  } finally {
    await handle.close();
  }
}
