import { readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { removeStaleTemps, writeFileAtomic } from '../fs/atomic-write';

/** `DATA_DIR/mgmt-api.json`: how the CLI finds the running app. */
export const discoverySchema = z.object({
  url: z.string(),
  pid: z.number(),
  version: z.string(),
  mode: z.string(),
  startedAt: z.string(),
});
export type Discovery = z.infer<typeof discoverySchema>;

export async function writeDiscovery(path: string, discovery: Discovery): Promise<void> {
  await removeStaleTemps(path);
  await writeFileAtomic(path, `${JSON.stringify(discovery, null, 2)}\n`, 0o600);
}

/** Removes the file only if it is still ours (a second instance may have replaced it). */
export async function removeDiscovery(path: string, pid: number): Promise<void> {
  const current = await readDiscovery(path);
  if (current && current.pid !== pid) return;
  await rm(path, { force: true });
}

export async function readDiscovery(path: string): Promise<Discovery | null> {
  try {
    const parsed = discoverySchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
