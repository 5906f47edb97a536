import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { locateContext } from '../../src/main/services/image/build-context';
import { ImageService } from '../../src/main/services/image/image-service';
import { realHostEnv } from '../../src/main/services/runtime/host-env';
import { RuntimeService } from '../../src/main/services/runtime/runtime-service';
import { defaultSettings } from '../../src/shared/schemas/settings';
import { ensureEmptyImage } from '../helpers/empty-image';
import { ensureNodeBaseImage } from '../helpers/node-base-image';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { startScriptedLlm, text, toolUse } from '../helpers/scripted-llm';
import { requireBuild } from '../helpers/serve-process';
import { silentLogger, tempDir } from '../helpers/temp';

const runDocker = requirePart('Docker', dockerRequirement());
const TEST_IMAGE = `aigo-agent-runner-test:${process.pid}`;

describe.runIf(runDocker)('building and running the agent image on the real engine', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let runtime: RuntimeService;
  let audit: AuditLog;
  let base: string;
  const bus = new EventBus();
  const docker = new Docker();
  const services: ImageService[] = [];

  const imageService = (
    context = locateContext(),
    image = TEST_IMAGE,
    extra: { hangAfterMs?: number; hangCheckMs?: number } = {},
  ) => {
    const service = new ImageService({
      ...extra,
      runtime,
      bus,
      audit,
      logger: silentLogger(),
      settings: () => ({ ...defaultSettings().image, baseImage: base, installTools: false }),
      appVersion: '9.9.9-test',
      context,
      image,
    });
    services.push(service);
    return service;
  };

  beforeAll(async () => {
    requireBuild();
    base = ensureNodeBaseImage();
    dir = await tempDir('aigo-image-');
    audit = new AuditLog({ dir: join(dir.path, 'audit'), bus, logger: silentLogger() });
    await audit.start();
    runtime = new RuntimeService({
      host: realHostEnv(),
      bus,
      audit,
      logger: silentLogger(),
      settings: () => defaultSettings().runtime,
    });
    await runtime.start();
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    // Whatever a failed test left: the slow step's containers and test images.
    for (const c of await docker.listContainers({ all: true }))
      if (c.Command.includes('aigo-slow-step'))
        await docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined);
    await runtime?.stop();
    await audit?.stop();
    await docker
      .getImage(TEST_IMAGE)
      .remove({ force: true })
      .catch(() => undefined);
    await dir?.cleanup();
  });

  it('builds the real Dockerfile on the offline base, with progress, labels and a ready state', async () => {
    const service = imageService();
    const before = await service.refresh();
    expect(['missing', 'outdated']).toContain(before.state);
    const started = Date.now();
    const building = await service.startBuild();
    expect(building.state).toBe('building');
    const joined = await service.startBuild(); // a second request joins the first
    expect(joined.buildStartedAt).toBe(building.buildStartedAt);
    const done = await service.settled();
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`agent image build on the offline test base: ${seconds.toFixed(1)} s\n`);
    expect(done.error).toBeNull();
    const status = await service.refresh();
    expect(status).toMatchObject({
      state: 'ready',
      appVersion: '9.9.9-test',
      progress: { percent: 100 },
    });
    expect(status.contextHash).toBe(status.currentContextHash);
    expect(status.sizeBytes).toBeGreaterThan(50_000_000);
    // Docker's classic builder writes `Step 12/12 : ENTRYPOINT`, Podman's `STEP 12/12: ENTRYPOINT`.
    expect(status.output).toMatch(/(Step|STEP) \d+\/\d+ ?: ENTRYPOINT/);
    expect(status.progress!.step).toBe(status.progress!.totalSteps);
  });

  it('runs the image against the scripted LLM server and streams the runner protocol', async () => {
    const llm = await startScriptedLlm([
      { blocks: [toolUse('write_file', { path: 'out.txt', content: 'written in the container' })] },
      { blocks: [text('Finished in the container.')] },
    ]);
    const ws = join(dir.path, 'workspace');
    await mkdir(join(ws, 'ipc/input'), { recursive: true });
    await writeFile(
      join(ws, 'ipc/input/job.json'),
      JSON.stringify({
        sessionId: 's',
        group: 'main',
        prompt: 'go',
        model: 'claude-test',
        maxTurns: 5,
        timeoutSecs: 60,
      }),
    );
    for (const p of [ws, join(ws, 'ipc'), join(ws, 'ipc/input'), join(ws, 'ipc/input/job.json')])
      await chown(p, 1000, 1000);
    const createdAt = Date.now();
    const container = await docker.createContainer({
      Image: TEST_IMAGE,
      Env: [
        `ANTHROPIC_BASE_URL=${llm.url}`,
        'ANTHROPIC_API_KEY=CREDENTIAL_PROXY_PLACEHOLDER',
        'AIGO_PROXY_TOKEN=tok',
      ],
      Labels: { 'aigo.test': '1' },
      HostConfig: {
        NetworkMode: 'host',
        Mounts: [{ Type: 'bind', Source: ws, Target: '/workspace', ReadOnly: false }],
      },
    });
    try {
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      let firstLineAt = 0;
      stream.once('data', () => (firstLineAt = Date.now()));
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      const logs = (await container.logs({ stdout: true, stderr: false })).toString('utf8');
      process.stdout.write(
        `runner cold start (container create to first output line): ${firstLineAt - createdAt} ms\n`,
      );
      const lines = logs
        .split('\n')
        .map((l) => l.replace(/^[\s\S]{8}(?=\{)/, ''))
        .filter((l) => l.startsWith('{'))
        .map(
          (l) =>
            JSON.parse(l) as { type: string; event?: string; text?: string; stopReason?: string },
        );
      expect(StatusCode, logs).toBe(0);
      expect(lines[0]).toMatchObject({ type: 'progress', event: 'start' });
      expect(lines.map((l) => l.event ?? l.type)).toEqual([
        'start',
        'turn',
        'tool_call',
        'tool_result',
        'turn',
        'message',
        'result',
      ]);
      expect(lines.at(-1)).toMatchObject({
        type: 'result',
        text: 'Finished in the container.',
        stopReason: 'end_turn',
      });
      expect(await readFile(join(ws, 'out.txt'), 'utf8')).toBe('written in the container');
      expect(firstLineAt).toBeGreaterThan(0);
    } finally {
      await container.remove({ force: true });
      await llm.close();
    }
  });

  it('calls the image outdated when the build context changes', async () => {
    const ctx = locateContext();
    const changed = join(dir.path, 'Dockerfile.changed');
    await writeFile(changed, `${await readFile(ctx.dockerfile, 'utf8')}\n# a newer app version\n`);
    const status = await imageService({ dockerfile: changed, runner: ctx.runner }).refresh();
    expect(status.state).toBe('outdated');
    expect(status.hint).toContain('Rebuild');
  });

  it('reports a bad base image as failed, with the error in output and a hint', async () => {
    const service = imageService(locateContext(), `aigo-agent-runner-bad:${process.pid}`);
    // A local base without a shell: fails at the first RUN, and needs no network to do so.
    await service.startBuild({ baseImage: ensureEmptyImage() });
    const status = await service.settled();
    expect(status.state).toBe('failed');
    // Docker's error names the missing shell; Podman's names the step, its output the shell.
    expect(status.error).toBeTruthy();
    expect(status.output).toMatch(/\/bin\/sh|no such file/);
    expect(status.output).toContain('from base image aigo-test-empty:latest');
    expect(status.output).toContain(status.error!);
    expect(status.hint).toContain('build output');
    expect(status.lastBuild).toMatchObject({ outcome: 'failed', error: status.error });
  });

  it('cancels a build mid-way, leaving no build container running', async () => {
    const ctx = locateContext();
    const slow = join(dir.path, 'Dockerfile.slow');
    await writeFile(
      slow,
      'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo aigo-slow-step && sleep 60\nCOPY agent-runner.mjs /x.mjs\n',
    );
    // A build silent for longer than the hang limit gets the guide's "hangs" hint while it runs.
    const service = imageService(
      { dockerfile: slow, runner: ctx.runner },
      `aigo-agent-runner-slow:${process.pid}`,
      { hangAfterMs: 1000, hangCheckMs: 100 },
    );
    const leftovers = async () =>
      (await docker.listContainers({ all: true })).filter((c) =>
        c.Command.includes('aigo-slow-step'),
      );
    // Twice: a build can start again after a cancel, and is cancelled just as cleanly.
    for (let round = 0; round < 2; round++) {
      await service.startBuild();
      await expect
        .poll(() => service.status().output, { timeout: 30_000 })
        .toContain('aigo-slow-step');
      expect(service.status().state).toBe('building');
      if (round === 0) {
        await expect
          .poll(() => service.status().hint ?? '', { timeout: 10_000 })
          .toContain('has printed nothing');
        expect(service.status().hint).toContain('cancel the build and try again');
        expect(service.status().state).toBe('building');
      }
      const status = await service.cancel();
      expect(status.state).toBe('cancelled');
      expect(status.hint).toContain('cancelled');
      expect(await leftovers()).toEqual([]);
    }
  });

  it('refuses to build without a runtime, with the guide hint', async () => {
    const stopped = new RuntimeService({
      host: {
        ...realHostEnv(),
        env: { DOCKER_HOST: `unix://${join(dir.path, 'none.sock')}` },
        socketExists: async () => false,
        which: async () => '/usr/bin/docker',
      },
      bus,
      audit,
      logger: silentLogger(),
      settings: () => ({ ...defaultSettings().runtime, preferred: 'docker' }),
    });
    await stopped.start();
    const service = new ImageService({
      runtime: stopped,
      bus,
      audit,
      logger: silentLogger(),
      settings: () => defaultSettings().image,
      appVersion: 'x',
      context: locateContext(),
      image: 'unused:x',
    });
    const status = await service.startBuild();
    expect(status.state).toBe('failed');
    expect(status.hint).toBe(
      'Ensure the container runtime is running before attempting a build (Settings > Container > Runtime).',
    );
    await service.stop();
    await stopped.stop();
  });
});
