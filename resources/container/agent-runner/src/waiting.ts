import { existsSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import type { Steering } from './steering';

/**
 * Waits until the host writes the job file (it does so once it has checked the container's
 * mounts): a watch on the folder for speed, a 100 ms check in case the mount sends no events.
 */
export function waitForJobFile(file: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (existsSync(file)) return resolve();
    let watcher: ReturnType<typeof watch> | null = null;
    const done = (error?: Error) => {
      clearInterval(poll);
      clearTimeout(limit);
      watcher?.close();
      if (error) reject(error);
      else resolve();
    };
    const check = () => existsSync(file) && done();
    const poll = setInterval(check, 100);
    const limit = setTimeout(
      () => done(new Error(`No job arrived within ${Math.round(timeoutMs / 1000)} s.`)),
      timeoutMs,
    );
    try {
      watcher = watch(dirname(file), check);
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = null;
    }
  });
}

/** The next follow-up message(s), joined; null when the idle time passes or a close arrives. */
export async function waitForFollowUp(
  steering: Steering,
  idleMs: number,
  signal: AbortSignal,
): Promise<string | null> {
  const deadline = Date.now() + idleMs;
  while (Date.now() < deadline && !signal.aborted) {
    await steering.scan();
    if (steering.closeRequested) return null;
    const texts = await steering.take();
    if (texts.length) return texts.join('\n\n');
    await steering.changed(Math.min(1000, deadline - Date.now()));
  }
  return null;
}
