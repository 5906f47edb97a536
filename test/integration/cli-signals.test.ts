import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp';

/**
 * `npm start`, then Ctrl+C: the terminal sends SIGINT to the whole process group and npm
 * forwards its own, so `aigo serve` gets two SIGINTs at once. The second must not force an
 * exit that leaves the lock and discovery files behind.
 */
describe('`aigo serve` and Ctrl+C', () => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let serve: ServeProcess | undefined;
  afterEach(async () => {
    if (serve && serve.child.exitCode === null && serve.child.signalCode === null)
      await serve.stop('SIGKILL');
    await dir?.cleanup();
  });

  it('a double SIGINT (terminal + npm) stops cleanly: exit 0, lock and discovery removed', async () => {
    dir = await tempDir();
    serve = await startServe(dir.path);
    expect(existsSync(join(dir.path, 'aigo.lock'))).toBe(true);
    expect(existsSync(join(dir.path, 'mgmt-api.json'))).toBe(true);
    const exited = new Promise<number | null>((resolve) =>
      serve!.child.once('exit', (code) => resolve(code)),
    );
    serve.child.kill('SIGINT');
    // The second one lands while the first one's shutdown runs (sent back to back, the kernel
    // may merge them into one).
    await expect.poll(() => serve!.output(), { interval: 1 }).toContain('stopping');
    expect(serve.child.kill('SIGINT')).toBe(true);
    const code = await exited;
    expect(serve.output()).not.toContain('Forced exit');
    expect(code, serve.output()).toBe(0);
    expect(existsSync(join(dir.path, 'aigo.lock'))).toBe(false);
    expect(existsSync(join(dir.path, 'mgmt-api.json'))).toBe(false);
  });

  it('a SIGTERM during the SIGINT shutdown is ignored too', async () => {
    dir = await tempDir();
    serve = await startServe(dir.path);
    const exited = new Promise<number | null>((resolve) =>
      serve!.child.once('exit', (code) => resolve(code)),
    );
    serve.child.kill('SIGINT');
    await expect.poll(() => serve!.output(), { interval: 1 }).toContain('stopping');
    expect(serve.child.kill('SIGTERM')).toBe(true);
    expect(await exited, serve.output()).toBe(0);
    expect(serve.output()).not.toContain('Forced exit');
    expect(existsSync(join(dir.path, 'aigo.lock'))).toBe(false);
  });

  it('a third signal during the shutdown forces the exit, and says so', async () => {
    dir = await tempDir();
    serve = await startServe(dir.path);
    const exited = new Promise<number | null>((resolve) =>
      serve!.child.once('exit', (code) => resolve(code)),
    );
    serve.child.kill('SIGINT');
    await expect.poll(() => serve!.output(), { interval: 1 }).toContain('stopping');
    expect(serve.output()).toMatch(/to force an exit: Ctrl\+C twice more, or once after 10 s/);
    serve.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 2));
    serve.child.kill('SIGINT');
    const code = await exited;
    // Either the shutdown finished first (0), or the third signal forced it (1, and says so).
    if (code !== 0) {
      expect(code, serve.output()).toBe(1);
      expect(serve.output()).toMatch(/Forced exit/);
    }
  });
});
