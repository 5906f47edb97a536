import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diagnose, type DiagnosticsInput } from '../../src/main/services/app/diagnostics';
import type { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import type { BuildRun, ImageBackend, ImageInfo } from '../../src/main/services/image/backends';
import { BUILD_HINTS } from '../../src/main/services/image/build-log';
import { ImageService, LABEL_HASH } from '../../src/main/services/image/image-service';
import type { RuntimeService } from '../../src/main/services/runtime/runtime-service';
import type { ImageStatus } from '../../src/shared/schemas/image';
import type { RuntimeStatus } from '../../src/shared/schemas/runtime';
import { defaultSettings } from '../../src/shared/schemas/settings';
import { imageView } from '../../src/renderer/src/pages/container/image/image-view';
import { silentLogger, tempDir } from '../helpers/temp';

/** A runtime that is up or down, and an engine whose image and builds the test controls. */
function world() {
  let available = true;
  let image: ImageInfo | null = null;
  let nextBuild: { lines: string[]; result: string | null | 'hang' } = { lines: [], result: null };
  const runtime = {
    status: () =>
      ({
        available,
        backend: available ? 'docker' : null,
        message: available ? 'ok' : 'Docker is not running (connect ENOENT /var/run/docker.sock).',
        disk: null,
      }) as unknown as RuntimeStatus,
  } as unknown as RuntimeService;
  const backend: ImageBackend = {
    inspect: async () => image,
    build: async (_image, context, _args, onOutput) => {
      const { lines, result } = nextBuild;
      for (const line of lines) onOutput(`${line}\n`);
      let cancel: (r: string) => void = () => undefined;
      const done = new Promise<string | null>((resolve) => {
        cancel = resolve;
        if (result !== 'hang') setTimeout(() => resolve(result), 5);
      }).then((r) => {
        if (r === null)
          image = {
            id: 'sha256:new',
            sizeBytes: 1,
            createdAt: '',
            labels: { [LABEL_HASH]: context.hash },
          };
        return r;
      });
      const run: BuildRun = {
        done,
        cancel: () => cancel('cancelled'),
        cleanUp: async () => undefined,
      };
      return run;
    },
  };
  return {
    runtime,
    backend,
    setAvailable: (v: boolean) => (available = v),
    setImage: (i: ImageInfo | null) => (image = i),
    nextBuild: (lines: string[], result: string | null | 'hang') => (nextBuild = { lines, result }),
  };
}

const audit = { record: () => undefined } as unknown as AuditLog;

describe('the image state and the last build are two things', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let w: ReturnType<typeof world>;
  let service: ImageService;
  let currentHash: string;

  beforeEach(async () => {
    dir = await tempDir('aigo-image-status-');
    await writeFile(join(dir.path, 'Dockerfile'), 'FROM scratch\n');
    await writeFile(join(dir.path, 'runner.mjs'), '// runner\n');
    w = world();
    service = new ImageService({
      runtime: w.runtime,
      bus: new EventBus(),
      audit,
      logger: silentLogger(),
      settings: () => defaultSettings().image,
      appVersion: '1.0.0',
      context: { dockerfile: join(dir.path, 'Dockerfile'), runner: join(dir.path, 'runner.mjs') },
      backend: () => w.backend,
    });
    currentHash = (await service.refresh()).currentContextHash!;
  });
  afterEach(async () => {
    await service.stop();
    await dir.cleanup();
  });

  const readyImage = () =>
    w.setImage({
      id: 'sha256:old',
      sizeBytes: 1,
      createdAt: '',
      labels: { [LABEL_HASH]: currentHash },
    });
  const health = (image: ImageStatus, available = true) =>
    diagnose({
      runtime: {
        available,
        backend: available ? 'docker' : null,
        checks: [],
        disk: null,
        message: 'down',
      },
      image,
      proxy: { status: { enabled: false }, mappings: [] },
      mounts: { roots: [] },
      warnings: [],
    } as unknown as DiagnosticsInput).items.find((i) => i.id === 'image')!;

  it('a cancelled rebuild over a ready image leaves it ready, and Health does not warn', async () => {
    readyImage();
    expect((await service.refresh()).state).toBe('ready');
    w.nextBuild(['Step 1/2 : FROM scratch'], 'hang');
    await service.startBuild();
    const status = await service.cancel();
    await service.refresh();
    const after = service.status();
    expect(status.state).toBe('ready');
    expect(after.state).toBe('ready');
    expect(after.lastBuild).toMatchObject({ outcome: 'cancelled', error: null });
    expect(after.hint ?? '').not.toMatch(/cancel/i);
    expect(health(after).status).toBe('ok');
    expect(imageView(after, true)).toMatchObject({ image: 'Ready', lastBuild: 'Cancelled' });
  });

  it('a cancelled first build leaves no image: state cancelled, Health warns', async () => {
    w.nextBuild([], 'hang');
    await service.startBuild();
    const status = await service.cancel();
    expect(status.state).toBe('cancelled');
    expect(status.lastBuild?.outcome).toBe('cancelled');
    expect(health(status).status).toBe('warn');
    expect(imageView(status, true)).toMatchObject({ image: 'Not built', lastBuild: 'Cancelled' });
  });

  it('with no runtime, the Image tab and Health both say unknown: no runtime', async () => {
    w.setAvailable(false);
    const status = await service.refresh();
    expect(status.state).toBe('unknown');
    expect(status.lastBuild).toBeNull();
    const item = health(status, false);
    expect(item.status).toBe('info');
    expect(item.title.toLowerCase()).toContain('unknown: no container runtime');
    expect(imageView(status, false).image.toLowerCase()).toBe('unknown: no container runtime');
    expect(imageView(status, false).lastBuild).toBe('None yet');
  });

  it('keeps the failure of a build the runtime was down for until a build succeeds', async () => {
    w.setAvailable(false);
    const failed = await service.startBuild();
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain('No container runtime');
    // The next status, the runtime still down, and then back with the old image.
    const again = await service.refresh();
    expect(again.error).toContain('No container runtime');
    expect(again.lastBuild).toMatchObject({
      outcome: 'failed',
      error: expect.stringContaining('No container runtime'),
    });
    expect(health(again, false).status).toBe('fail');
    w.setAvailable(true);
    readyImage();
    const back = await service.refresh();
    expect(back.state).toBe('ready');
    expect(back.lastBuild?.outcome).toBe('failed');
    expect(back.error).toContain('No container runtime');
    expect(health(back).status).toBe('warn');
    // A build that succeeds clears it.
    w.nextBuild(['Step 1/1 : FROM scratch'], null);
    await service.startBuild();
    await service.settled();
    const ok = await service.refresh();
    expect(ok).toMatchObject({ state: 'ready', error: null, hint: null });
    expect(ok.lastBuild).toMatchObject({ outcome: 'succeeded', error: null });
    expect(health(ok).status).toBe('ok');
  });

  it('a failed build keeps output, error and hint; the hint never says cancel', async () => {
    w.nextBuild(
      [
        'Step 1/3 : FROM node:22-slim',
        'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
      ],
      'dial tcp: lookup registry-1.docker.io: no such host',
    );
    await service.startBuild();
    const status = await service.settled();
    expect(status.state).toBe('failed');
    expect(status.output).toContain('no such host');
    expect(status.lastBuild?.hint).toBe(status.hint);
    expect(status.hint).toContain('Install tools');
    expect(status.hint).not.toMatch(/cancel/i);
  });
});

describe('build hints', () => {
  it.each([
    'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: no such host',
    'Err:1 http://deb.debian.org/debian bookworm InRelease\n  Temporary failure in name resolution',
    'Get "https://registry-1.docker.io/v2/": dial tcp 54.227.20.253:443: i/o timeout',
  ])('offline: suggests a local base image and turning off Install tools (%s)', async (line) => {
    const { BuildLog } = await import('../../src/main/services/image/build-log');
    const log = new BuildLog();
    log.add(line);
    expect(log.hint()).toMatch(/Base image/);
    expect(log.hint()).toMatch(/Install tools/);
    expect(log.hint()).toMatch(/docker images/);
  });

  it.each([
    '/bin/sh: 1: apt-get: not found',
    'sh: apt-get: not found',
    'bash: apt-get: command not found',
  ])('a base without apt-get: says it is not Debian-based (%s)', async (line) => {
    const { BuildLog } = await import('../../src/main/services/image/build-log');
    const log = new BuildLog();
    log.add(line);
    expect(log.hint()).toMatch(/not Debian-based/);
  });

  it('no hint for a finished build says cancel, and none names an API field', () => {
    for (const { hint } of BUILD_HINTS) {
      expect(hint).not.toMatch(/cancel/i);
      expect(hint).not.toMatch(/\bfield\b|image\.\w+|`\w+`: |\boutput field/);
    }
  });
});
