import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { AppError } from '../../../shared/errors';
import { appleRunArgs, LABELS, type AgentContainerSpec } from './container-spec';
import { boundedLines, type AgentContainer, type ContainerEngine } from './docker-engine';

const run = promisify(execFile);

interface AppleInspect {
  status?: string;
  exitCode?: number;
  configuration?: { id?: string; labels?: Record<string, string> };
}

/**
 * Agent containers on Apple's `container` CLI (macOS 15+ on Apple silicon): `container run
 * --detach`, `container logs --follow` for the runner's output, `container inspect` for its
 * state, `container stop` / `kill` / `delete`. Each container is its own VM, so there is no host
 * pid to look through: mounts are re-checked on the host side (the verifier's host-stat method).
 */
export class AppleContainerEngine implements ContainerEngine {
  readonly kind = 'apple_container' as const;
  /** Containers this aigo started and has not deleted: never orphans, whenever the look runs. */
  private readonly own = new Set<string>();

  constructor(
    private readonly cli = 'container',
    private readonly pollMs = 500,
  ) {}

  async run(spec: AgentContainerSpec): Promise<AgentContainer> {
    const bad = spec.mounts.find((m) => m.Source.includes(',') || m.Target.includes(','));
    if (bad)
      throw new AppError(
        'INVALID_INPUT',
        `"${bad.Source}" has a comma in its path, which Apple's container --mount option cannot carry. Rename the folder or mount one without a comma.`,
      );
    const name = spec.name;
    this.own.add(name);
    await run(this.cli, appleRunArgs(spec), { timeout: 60_000 }).catch((error: unknown) => {
      this.own.delete(name);
      throw error;
    });
    const lineListeners: ((line: string) => void)[] = [];
    const errListeners: ((text: string) => void)[] = [];
    const logs = spawn(this.cli, ['logs', '--follow', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    boundedLines(logs.stdout, (line) => lineListeners.forEach((l) => l(line)));
    logs.stderr.on('data', (c: Buffer) => errListeners.forEach((l) => l(c.toString())));
    const logsDone = new Promise<void>((resolve) => logs.once('close', () => resolve()));
    const exited = (async () => {
      for (;;) {
        const info = await this.inspect(name).catch(() => null);
        if (!info || info.status === 'stopped') {
          await Promise.race([logsDone, new Promise((r) => setTimeout(r, 2000).unref())]);
          logs.kill();
          return typeof info?.exitCode === 'number' ? info.exitCode : null;
        }
        await new Promise((r) => setTimeout(r, this.pollMs).unref());
      }
    })();
    return {
      id: name,
      name,
      inspect: async () => ({
        id: name,
        pid: null,
        mounts: spec.mounts.map((m) => ({ source: m.Source, destination: m.Target })),
      }),
      onLine: (l) => lineListeners.push(l),
      onStderr: (l) => errListeners.push(l),
      exited,
      stop: async (graceSecs) => {
        await run(this.cli, ['stop', '--time', String(graceSecs), name]).catch(() => undefined);
      },
      kill: async () => {
        await run(this.cli, ['kill', name]).catch(() => undefined);
      },
      remove: async () => {
        await run(this.cli, ['delete', '--force', name]).catch(() => undefined);
        this.own.delete(name);
      },
    };
  }

  async removeOrphans(installId: string): Promise<string[]> {
    const { stdout } = await run(this.cli, ['list', '--all', '--format', 'json'], {
      timeout: 30_000,
    });
    const all = JSON.parse(stdout || '[]') as AppleInspect[];
    const ours = all.filter(
      (c) =>
        c.configuration?.labels?.[LABELS.install] === installId &&
        c.configuration.labels[LABELS.kind] === 'agent',
    );
    const names = ours
      .map((c) => c.configuration?.id ?? '')
      .filter((name) => name && !this.own.has(name));
    for (const name of names)
      await run(this.cli, ['delete', '--force', name]).catch(() => undefined);
    return names;
  }

  /** Each Apple container is its own VM on the host's vmnet: there is no shared bridge to make. */
  agentNetwork(): Promise<string | null> {
    return Promise.resolve('default');
  }

  private async inspect(name: string): Promise<AppleInspect | null> {
    const { stdout } = await run(this.cli, ['inspect', name], { timeout: 15_000 });
    const list = JSON.parse(stdout) as AppleInspect[];
    return list[0] ?? null;
  }
}
