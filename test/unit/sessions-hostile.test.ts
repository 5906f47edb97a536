/**
 * Hostile review of agent sessions: what an agent (code running in its container, owning
 * everything under /workspace/ipc) can make the HOST do, and the races a user can hit. Every
 * test runs the real SessionService, launcher, groups and mount security against a temp
 * DATA_DIR; only the container engine is a stand-in, so "the agent" is simulated by writing
 * into the session's ipc/ folder exactly as a process in the container could.
 */
import { lstat, mkdir, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WarningCenter } from '../../src/main/services/app/warnings';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import { GroupsService } from '../../src/main/services/groups/groups-service';
import type { MountSecurityService } from '../../src/main/services/mounts/mount-security-service';
import type { CredentialProxyService } from '../../src/main/services/proxy/credential-proxy-service';
import type { AgentContainerSpec } from '../../src/main/services/sessions/container-spec';
import {
  DockerEngine,
  type AgentContainer,
  type ContainerEngine,
} from '../../src/main/services/sessions/docker-engine';
import { FairQueue } from '../../src/main/services/sessions/fair-queue';
import { findIpcProblems } from '../../src/main/services/sessions/ipc-problems';
import { RUNS_FILE, RunHistory } from '../../src/main/services/sessions/run-history';
import {
  ensureSessionDirs,
  newSessionId,
  sessionPaths,
} from '../../src/main/services/sessions/session-files';
import { SessionService } from '../../src/main/services/sessions/session-service';
import type { Group } from '../../src/shared/schemas/groups';
import type { Session } from '../../src/shared/schemas/sessions';
import { startMountService } from '../helpers/mount-service';
import { silentLogger, tempDir } from '../helpers/temp';

const posix = process.platform !== 'win32';

/** A container that runs until the test (or the host) ends it. */
class FakeContainer implements AgentContainer {
  readonly id: string;
  readonly name: string;
  readonly exited: Promise<number | null>;
  stops = 0;
  removed = false;
  private resolveExit!: (code: number | null) => void;
  private done = false;

  constructor(readonly spec: AgentContainerSpec) {
    this.id = spec.name;
    this.name = spec.name;
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  inspect = async () => ({
    id: this.id,
    pid: null,
    mounts: this.spec.mounts.map((m) => ({ source: m.Source, destination: m.Target })),
  });
  onLine(): void {}
  onStderr(): void {}
  exit(code: number | null): void {
    if (this.done) return;
    this.done = true;
    this.resolveExit(code);
  }
  get ended(): boolean {
    return this.done;
  }
  stop = async () => {
    this.stops += 1;
    // Like Docker: the exit (and the end of the output) arrives a moment after the stop.
    setTimeout(() => this.exit(143), 50);
  };
  kill = async () => this.exit(137);
  remove = async () => {
    this.removed = true;
    this.exit(137);
  };
}

class FakeEngine implements ContainerEngine {
  readonly kind = 'docker' as const;
  readonly containers: FakeContainer[] = [];
  /** The most containers of one session alive at the same time. */
  maxAlivePerSession = 0;
  onRun: ((c: FakeContainer) => void | Promise<void>) | null = null;

  async run(spec: AgentContainerSpec): Promise<AgentContainer> {
    const c = new FakeContainer(spec);
    this.containers.push(c);
    const session = spec.labels['org.aigo.session'];
    const alive = this.containers.filter(
      (x) => !x.ended && x.spec.labels['org.aigo.session'] === session,
    ).length;
    this.maxAlivePerSession = Math.max(this.maxAlivePerSession, alive);
    await this.onRun?.(c);
    return c;
  }
  async removeOrphans(): Promise<string[]> {
    return [];
  }
  async agentNetwork(): Promise<string | null> {
    return 'aigo-test';
  }
}

const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

let t: { path: string; cleanup(): Promise<void> };
let dataDir: string;
let victim: string;
let engine: FakeEngine;
let groups: GroupsService;
let sessions: SessionService;
let audit: AuditLog;
let mounts: MountSecurityService;
let stopMounts: () => Promise<void>;
let prepareDelayMs = 0;
let revoked: string[];

async function startService(options: { closeGraceMs?: number } = {}) {
  const bus = new EventBus();
  const runs = new RunHistory(join(dataDir, RUNS_FILE), bus);
  await runs.start();
  const realPrepare = mounts.prepareMounts.bind(mounts);
  const slowMounts = Object.create(mounts) as MountSecurityService;
  slowMounts.prepareMounts = async (...args) => {
    if (prepareDelayMs) await new Promise((r) => setTimeout(r, prepareDelayMs));
    return realPrepare(...args);
  };
  const proxy = {
    containerConfig: () => ({ env: {}, extraHosts: [], token: 'tok' }),
    revokeSession: (id: string) => revoked.push(id),
  } as unknown as CredentialProxyService;
  sessions = new SessionService({
    dataDir,
    bus,
    audit,
    logger: silentLogger(),
    groups,
    runs,
    engine,
    mounts: slowMounts,
    proxy,
    installId: 'feedfacefeedfacefeedface',
    networkMode: async () => 'aigo-test',
    timezone: () => 'UTC',
    image: () => ({ ref: 'aigo-agent-runner:test', problem: null }),
    runtimeProblem: () => null,
    maxConcurrent: () => 3,
    closeGraceMs: options.closeGraceMs ?? 5000,
  });
  await sessions.start();
  return { bus, runs };
}

beforeEach(async () => {
  t = await tempDir('aigo-hostile-');
  dataDir = join(t.path, 'data');
  victim = join(t.path, 'victim');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await mkdir(victim, { mode: 0o700 });
  await writeFile(join(victim, 'job.json'), 'the user keeps a job.json here');
  await writeFile(join(victim, '_close'), 'and a _close');
  await writeFile(join(victim, 'notes.txt'), 'and notes');
  const m = await startMountService({
    dataDir,
    home: join(t.path, 'home'),
    auditDir: join(t.path, 'mount-audit'),
  });
  mounts = m.service;
  stopMounts = m.stop;
  const bus = new EventBus();
  audit = new AuditLog({ dir: join(dataDir, 'audit'), bus, logger: silentLogger() });
  await audit.start();
  groups = new GroupsService({
    dataDir,
    bus,
    audit,
    logger: silentLogger(),
    warnings: new WarningCenter(bus),
    mounts,
    activeSessions: () => 0,
  });
  await groups.start();
  engine = new FakeEngine();
  prepareDelayMs = 0;
  revoked = [];
});

afterEach(async () => {
  for (const c of engine.containers) c.exit(0);
  await sessions?.stop().catch(() => undefined);
  await audit.stop();
  await stopMounts();
  await t.cleanup();
});

const victimUntouched = async () => {
  expect((await readdir(victim)).sort()).toEqual(['_close', 'job.json', 'notes.txt']);
  expect(await readFile(join(victim, 'job.json'), 'utf8')).toBe('the user keeps a job.json here');
  expect(await readFile(join(victim, '_close'), 'utf8')).toBe('and a _close');
  expect((await stat(victim)).mode & 0o777).toBe(0o700);
};

const get = (id: string) => sessions.get(id);

describe.runIf(posix)('the agent links ipc/input to a host folder', () => {
  it('ipc/directories never chmods the folder the link points to', async () => {
    const main = groups.main();
    const id = newSessionId();
    const paths = sessionPaths(dataDir, main.folder, id);
    await ensureSessionDirs(paths);
    // The agent (it owns ipc/): input becomes a link to a host folder, tasks/ goes away.
    await rm(paths.input, { recursive: true });
    await rm(paths.tasks, { recursive: true });
    await symlink(victim, paths.input);
    await startService();
    await sessions.ipcDirectories(main.name, id);
    await victimUntouched();
    expect((await lstat(paths.tasks)).isDirectory()).toBe(true);
  });

  it('a steering message never lands in the linked folder', async () => {
    await startService();
    const created = await sessions.create({ group: 'main', prompt: 'work', trigger: 'manual' });
    await until('running', async () => (await get(created.id)).state === 'running');
    const paths = sessionPaths(dataDir, groups.main().folder, created.id);
    await rm(paths.input, { recursive: true });
    await symlink(victim, paths.input);
    await sessions.message(created.id, 'steer me').catch(() => undefined);
    await victimUntouched();
  });

  it('Stop still stops the container when the agent linked input/ away', async () => {
    await startService({ closeGraceMs: 50 });
    const created = await sessions.create({ group: 'main', prompt: 'work', trigger: 'manual' });
    await until('running', async () => (await get(created.id)).state === 'running');
    const paths = sessionPaths(dataDir, groups.main().folder, created.id);
    await rm(paths.input, { recursive: true });
    await symlink(victim, paths.input);
    await sessions.close(created.id).catch(() => undefined);
    await until('ended', async () => (await get(created.id)).state === 'ended');
    await victimUntouched();
  });

  it('the next run neither deletes nor writes through the link, and gets a real input/ again', async () => {
    await startService();
    const created = await sessions.create({ group: 'main', prompt: 'first', trigger: 'manual' });
    await until('running', async () => (await get(created.id)).state === 'running');
    const paths = sessionPaths(dataDir, groups.main().folder, created.id);
    await rm(paths.input, { recursive: true });
    await symlink(victim, paths.input);
    engine.containers[0]?.exit(0);
    await until('ended', async () => (await get(created.id)).state === 'ended');
    await victimUntouched();
    // The user resumes: a new container, a job written into a real folder, the host folder left alone.
    await sessions.message(created.id, 'go on');
    await until('second run', () => engine.containers.length === 2);
    await until('running again', async () => (await get(created.id)).state === 'running');
    await victimUntouched();
    expect((await lstat(paths.input)).isDirectory()).toBe(true);
    const violations = await audit.query({ category: 'ipc', severity: 'violation', limit: 10 });
    expect(violations.entries.map((e) => e.message).join('\n')).toMatch(/replaced its IPC folder/);
    const job = JSON.parse(await readFile(join(paths.input, 'job.json'), 'utf8')) as {
      prompt: string;
    };
    expect(job.prompt).toBe('go on');
  });

  it('a link to a non-empty host folder does not restart the agent over and over', async () => {
    await startService();
    const created = await sessions.create({ group: 'main', prompt: 'once', trigger: 'manual' });
    await until('running', async () => (await get(created.id)).state === 'running');
    const paths = sessionPaths(dataDir, groups.main().folder, created.id);
    await rm(paths.input, { recursive: true });
    await symlink(victim, paths.input);
    engine.containers[0]?.exit(0);
    await until('ended', async () => (await get(created.id)).state === 'ended');
    await new Promise((r) => setTimeout(r, 200));
    expect(engine.containers).toHaveLength(1);
  });
});

describe.runIf(posix)('Health (aigo doctor) looks at ipc/ folders', () => {
  it('never through a link the agent made: it neither lists nor counts a host folder', async () => {
    const paths = sessionPaths(dataDir, 'main', '20261129-000000-cccc');
    await ensureSessionDirs(paths);
    await rm(paths.input, { recursive: true });
    await rm(paths.messages, { recursive: true });
    await symlink(victim, paths.input);
    await symlink(victim, paths.messages);
    const problems = await findIpcProblems(
      [
        {
          session: {
            id: '20261129-000000-cccc',
            group: 'g',
            groupName: 'main',
            title: 't',
            state: 'ended',
            trigger: 'manual',
            chatJid: null,
            createdAt: '2026-11-29T00:00:00.000Z',
            updatedAt: '2026-11-29T00:00:00.000Z',
            container: null,
            queuePosition: null,
            runs: 1,
            lastStatus: 'failed',
            error: null,
            progress: { turn: 0, toolCalls: 0, activity: null },
          },
          paths,
        },
      ],
      Date.now() + 60_000,
    );
    expect(problems).toEqual([]);
  });
});

describe('what the agent leaves in ipc/input', () => {
  it('files the agent planted there never make the host start it again', async () => {
    await startService();
    engine.onRun = async (c) => {
      if (engine.containers.length > 1) return;
      // The agent writes a "follow-up" of its own, then exits.
      const input = c.spec.mounts.find((m) => m.Target === '/workspace/ipc')?.Source as string;
      setTimeout(() => {
        void writeFile(join(input, 'input', '9999-planted.json'), '{"text":"keep going"}').then(
          () => c.exit(0),
        );
      }, 20);
    };
    const created = await sessions.create({ group: 'main', prompt: 'once', trigger: 'manual' });
    await until('ended', async () => (await get(created.id)).state === 'ended');
    await new Promise((r) => setTimeout(r, 300));
    expect(engine.containers).toHaveLength(1);
    expect((await get(created.id)).state).toBe('ended');
  });

  it('a steering message the user sent while the run finished still starts the next run', async () => {
    const { bus } = await startService();
    const created = await sessions.create({ group: 'main', prompt: 'once', trigger: 'manual' });
    await until('running', async () => (await get(created.id)).state === 'running');
    const off = bus.on('session.updated', (s) => {
      if (s.id === created.id && s.state === 'ended') off();
    });
    // Steered while running; the runner never took it (it was exiting).
    await sessions.message(created.id, 'one more thing');
    engine.containers[0]?.exit(0);
    await until('second run', () => engine.containers.length === 2);
  });

  it("a squad's task gets no run of its own after it ended, whatever steering was left unread", async () => {
    await startService();
    // The squad recorded the task when it ended; a run after that would have none of its limits.
    const created = await sessions.create({
      group: 'main',
      prompt: 'task',
      trigger: 'squad',
      overrides: { timeoutSecs: 300, idleTimeoutSecs: 0 },
    });
    await until('running', async () => (await get(created.id)).state === 'running');
    await sessions.message(created.id, 'one more thing');
    engine.containers[0]?.exit(0);
    await until('ended', async () => (await get(created.id)).state === 'ended');
    await new Promise((r) => setTimeout(r, 300));
    expect(engine.containers).toHaveLength(1);
    expect((await get(created.id)).state).toBe('ended');
  });
});

describe('races', () => {
  it('a message that arrives as a run ends never starts a second container for the session', async () => {
    const { bus } = await startService();
    const created = await sessions.create({ group: 'main', prompt: 'first', trigger: 'manual' });
    await until('running', async () => (await get(created.id)).state === 'running');
    // A steering file is waiting (the runner was exiting), so the host will follow up...
    await sessions.message(created.id, 'steered late');
    // ...and at the very moment the session shows "ended", the user resumes it.
    let resumed: Promise<Session> | null = null;
    const off = bus.on('session.updated', (s) => {
      if (s.id === created.id && s.state === 'ended' && !resumed) {
        off();
        resumed = sessions.message(created.id, 'resume with this');
      }
    });
    engine.containers[0]?.exit(0);
    await until('resumed', () => resumed !== null);
    await resumed;
    await new Promise((r) => setTimeout(r, 300));
    expect(engine.maxAlivePerSession).toBe(1);
    expect(engine.containers.filter((c) => !c.ended)).toHaveLength(1);
    // The user's words start the run; they are not replaced by the automatic follow-up.
    const paths = sessionPaths(dataDir, groups.main().folder, created.id);
    await until('job written', async () =>
      readFile(join(paths.input, 'job.json'), 'utf8').then(
        () => true,
        () => false,
      ),
    );
    const job = JSON.parse(await readFile(join(paths.input, 'job.json'), 'utf8')) as {
      prompt: string;
    };
    expect(job.prompt).toBe('resume with this');
  });

  it('Stop pressed while the container is being started stops it', async () => {
    await startService({ closeGraceMs: 50 });
    prepareDelayMs = 300; // checking mounts takes a while
    const created = await sessions.create({ group: 'main', prompt: 'slow', trigger: 'manual' });
    await until('starting', async () => (await get(created.id)).state === 'starting');
    await sessions.close(created.id);
    await until('container', () => engine.containers.length === 1);
    await until('ended', async () => (await get(created.id)).state === 'ended', 3000);
    expect((await get(created.id)).lastStatus).toBe('cancelled');
  });

  it('stop() waits until running containers are removed and their runs recorded', async () => {
    const { runs } = await startService();
    const created = await sessions.create({ group: 'main', prompt: 'work', trigger: 'manual' });
    await until('running', async () => (await get(created.id)).state === 'running');
    await sessions.stop();
    expect(engine.containers[0]?.removed).toBe(true);
    const recorded = await runs.query({ session: created.id });
    expect(recorded.runs).toHaveLength(1);
    expect(revoked).toContain(created.id);
  });
});

describe('groups', () => {
  it('an id always means the group with that id, even when another group is named like it', async () => {
    const family = await groups.create({ name: 'family' });
    // Names may be UUID-shaped: a new group named like family's id is refused...
    await expect(groups.create({ name: family.id })).rejects.toThrow(/another group's id/);
    // ...and one that exists already (groups.json from an older aigo, or edited by hand) never
    // stands in for family when family's id is asked for (the UI edits and deletes by id).
    const file = join(dataDir, 'groups.json');
    const saved = JSON.parse(await readFile(file, 'utf8')) as { groups: Group[] };
    const impostor = { ...family, id: '00000000-0000-4000-8000-000000000000', name: family.id };
    impostor.folder = 'impostor';
    await writeFile(file, JSON.stringify({ groups: [...saved.groups, impostor] }));
    const reloaded = new GroupsService({
      dataDir,
      bus: new EventBus(),
      audit,
      logger: silentLogger(),
      warnings: new WarningCenter(new EventBus()),
      mounts,
      activeSessions: () => 0,
    });
    await reloaded.start();
    expect(reloaded.get(family.id).name).toBe('family');
    expect(reloaded.find(family.id)?.name).toBe('family');
    expect(reloaded.get(impostor.id).folder).toBe('impostor');
  });

  it('two groups never share a session folder on a case-insensitive disk', async () => {
    const first: Group = await groups.create({ name: 'tg:42' });
    // macOS and Windows see `tg_42-abcd…` and `TG_42-ABCD…` as one folder.
    await expect(groups.create({ name: first.folder.toUpperCase() })).rejects.toThrow(
      /exists already/,
    );
  });
});

describe.runIf(posix)('mount points made in the workspace', () => {
  it('are never made through a link the agent put in a read-write workspace', async () => {
    const projects = join(t.path, 'home', 'projects');
    const work = join(projects, 'app');
    const data = join(projects, 'data');
    await mkdir(work, { recursive: true });
    await mkdir(data, { recursive: true });
    await mounts.update({
      allowedRoots: [{ path: projects, allowReadWrite: true, description: '' }],
      blockedPatterns: [],
      nonMainReadOnly: true,
    });
    await groups.update({
      id: groups.main().id,
      workspaceFolder: work,
      mounts: [{ hostPath: data, containerPath: 'data', readonly: true }],
    });
    // The main agent owns /workspace: `extra` becomes a link to a host folder.
    await symlink(victim, join(work, 'extra'));
    await startService();
    const created = await sessions.create({ group: 'main', prompt: 'x', trigger: 'manual' });
    await until('ended or running', async () =>
      ['ended', 'running'].includes((await get(created.id)).state),
    );
    await victimUntouched();
    expect((await get(created.id)).error).toMatch(/mount point .*extra.* link/);
  });
});

describe('the queue', () => {
  it('positions of a long queue are cheap', () => {
    const q = new FairQueue();
    for (let i = 0; i < 2000; i++) q.push(`s${i}`, `g${i % 3}`);
    const started = Date.now();
    for (let i = 0; i < 2000; i++) q.position(`s${i}`);
    expect(Date.now() - started).toBeLessThan(200);
    // Still fair: the order alternates between groups.
    expect([q.position('s0'), q.position('s1'), q.position('s2'), q.position('s3')]).toEqual([
      1, 2, 3, 4,
    ]);
  });
});

describe('DockerEngine', () => {
  /** Enough of dockerode for run() and removeOrphans(). */
  function fakeDocker() {
    const all: { Id: string; Names: string[]; Labels: Record<string, string> }[] = [];
    const removed: string[] = [];
    const container = (id: string) => ({
      id,
      attach: async () => new PassThrough(),
      start: async () => undefined,
      wait: () => new Promise(() => undefined),
      inspect: async () => ({}),
      stop: async () => undefined,
      kill: async () => undefined,
      remove: async () => {
        removed.push(id);
      },
    });
    const outputs: PassThrough[] = [];
    const docker = {
      modem: { demuxStream: (_s: unknown, out: PassThrough) => void outputs.push(out) },
      createContainer: async (opts: { name: string; Labels: Record<string, string> }) => {
        const id = `id-${opts.name}`;
        all.push({ Id: id, Names: [`/${opts.name}`], Labels: opts.Labels });
        return { id };
      },
      getContainer: container,
      listContainers: async (q: { filters: { label: string[] } }) =>
        all.filter((c) =>
          q.filters.label.every((l) => {
            const [k, v] = l.split('=') as [string, string];
            return c.Labels[k] === v;
          }),
        ),
    };
    return { docker, all, removed, outputs };
  }

  const spec = (labels: Record<string, string>): AgentContainerSpec => ({
    name: 'aigo-main-live',
    image: 'x',
    labels,
    env: {},
    mounts: [],
    memoryMb: 128,
    cpus: 1,
    extra: {},
    networkMode: 'none',
    extraHosts: [],
  });

  it('an output line that never ends does not grow the host without bound', async () => {
    const { docker, outputs } = fakeDocker();
    const engine = new DockerEngine(() => ({ short: docker, stream: docker }) as never);
    const container = await engine.run(spec({}));
    const lines: string[] = [];
    container.onLine((l) => lines.push(l));
    const stdout = outputs[0] as PassThrough;
    // The agent writes to the runner's stdout: 8 MB without a newline, then a real line.
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 128; i++) stdout.write(chunk);
    stdout.write('\n{"type":"message","text":"after"}\n');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    expect((lines[0] as string).length).toBeLessThan(1024 * 1024 + 100);
    expect(lines[0]).toMatch(/more characters dropped\]$/);
    expect(lines[1]).toBe('{"type":"message","text":"after"}');
  });

  it('orphan removal never removes a container this aigo runs right now', async () => {
    const { docker, all, removed } = fakeDocker();
    const engine = new DockerEngine(() => ({ short: docker, stream: docker }) as never);
    const labels = { 'org.aigo.install': 'abc123abc123abc1', 'org.aigo.kind': 'agent' };
    // Left by an earlier aigo:
    all.push({ Id: 'old', Names: ['/aigo-main-old'], Labels: labels });
    await engine.run({
      name: 'aigo-main-live',
      image: 'x',
      labels,
      env: {},
      mounts: [],
      memoryMb: 128,
      cpus: 1,
      extra: {},
      networkMode: 'none',
      extraHosts: [],
    });
    const names = await engine.removeOrphans('abc123abc123abc1');
    expect(names).toEqual(['aigo-main-old']);
    expect(removed).toEqual(['old']);
  });
});
