import { spawn } from 'node:child_process';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AIGO_BIN, requireBuild, startServe, type ServeProcess } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp';

// Long lines, so 500 of them overflow the pipe buffer and the CLI is still writing when the
// reader goes away (as with `aigo logs --last 500 | head -1`).
const line = (n: number) =>
  `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: `line ${n} ${'x'.repeat(1000)}` })}\n`;

interface Piped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  firstLine: string;
}

/**
 * Runs the built CLI with its stdout piped into a reader that closes after the first line
 * (`| head -1`), or before anything arrives when `closeAt` is 'start'. `whileOpen` runs after
 * the reader closed, e.g. to append to a followed log.
 */
function runPiped(
  args: string[],
  options: { closeAt?: 'first-line' | 'start'; afterClose?: () => Promise<void> } = {},
): Promise<Piped> {
  const child = spawn(process.execPath, [AIGO_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let firstLine = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const close = () => {
    child.stdout.destroy();
    void options.afterClose?.();
  };
  if (options.closeAt === 'start') close();
  else {
    let seen = '';
    child.stdout.on('data', (c: Buffer) => {
      seen += c.toString();
      if (!firstLine && seen.includes('\n')) {
        firstLine = seen.slice(0, seen.indexOf('\n'));
        close();
      }
    });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, firstLine });
    });
  });
}

function expectQuietEnd(result: Piped): void {
  expect(result.stderr).not.toContain('EPIPE');
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(result.signal).toBeNull();
  expect(result.code, result.stderr).toBe(0);
}

describe('printing into a pipe whose reader goes away (`aigo … | head`)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    requireBuild();
    dir = await tempDir();
    await mkdir(join(dir.path, 'logs'));
    await writeFile(
      join(dir.path, 'logs/aigo.log'),
      Array.from({ length: 600 }, (_, i) => line(i)).join(''),
    );
  });
  afterAll(() => dir.cleanup());

  it('`aigo logs --last 500 | head -1` ends quietly with exit 0', async () => {
    const result = await runPiped(['logs', '--last', '500', '--data-dir', dir.path]);
    expect(result.firstLine).toContain('line 100');
    expectQuietEnd(result);
  });

  it('`aigo logs --last 500 --json | head -1` ends quietly with exit 0', async () => {
    const result = await runPiped(['logs', '--last', '500', '--json', '--data-dir', dir.path]);
    expectQuietEnd(result);
  });

  it('`aigo logs --follow | head -1` ends quietly once a new line cannot be written', async () => {
    const result = await runPiped(['logs', '--last', '1', '--follow', '--data-dir', dir.path], {
      afterClose: async () => {
        for (let i = 0; i < 20; i++) {
          await appendFile(join(dir.path, 'logs/aigo.log'), line(1000 + i));
          await new Promise((r) => setTimeout(r, 300));
        }
      },
    });
    expectQuietEnd(result);
  });

  it('`aigo api --list` into a closed pipe ends quietly with exit 0', async () => {
    expectQuietEnd(await runPiped(['api', '--list'], { closeAt: 'start' }));
  });

  describe('against a running `aigo serve`', () => {
    let serveDir: Awaited<ReturnType<typeof tempDir>>;
    let serve: ServeProcess;
    beforeAll(async () => {
      serveDir = await tempDir();
      serve = await startServe(serveDir.path);
    });
    afterAll(async () => {
      await serve?.stop();
      await serveDir?.cleanup();
    });

    for (const args of [['status'], ['status', '-o', 'json'], ['doctor'], ['doctor', '-o', 'yaml']])
      it(`\`aigo ${args.join(' ')}\` into a closed pipe ends quietly`, async () => {
        const result = await runPiped([...args, '--data-dir', serveDir.path], {
          closeAt: 'start',
        });
        expect(result.stderr).not.toContain('EPIPE');
        expect(result.stderr).not.toMatch(/\n\s+at /);
        expect(result.signal).toBeNull();
        // doctor exits 1 when a check fails (e.g. no container engine); never a crash.
        if (args[0] === 'status') expect(result.code, result.stderr).toBe(0);
        else expect([0, 1]).toContain(result.code);
      });
  });
});
