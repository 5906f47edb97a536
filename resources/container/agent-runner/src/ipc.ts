import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Paths {
  workspace: string;
  ipc: string;
  input: string;
  messages: string;
  tasks: string;
}

export function paths(workspace: string): Paths {
  const ipc = join(workspace, 'ipc');
  return {
    workspace,
    ipc,
    input: join(ipc, 'input'),
    messages: join(ipc, 'messages'),
    tasks: join(ipc, 'tasks'),
  };
}

/** Written to a temp name, then renamed: the host never reads half a file. */
export async function writeIpcFile(dir: string, payload: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const name = `${Date.now()}-${randomBytes(4).toString('hex')}.json`;
  const temp = join(dir, `.${name}.tmp`);
  await writeFile(temp, JSON.stringify(payload));
  await rename(temp, join(dir, name));
  return name;
}
