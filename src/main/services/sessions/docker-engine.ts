import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import type { AppError } from '../../../shared/errors';
import { engineRefusalError, isEngineAnswer } from '../runtime/engine-refusal';
import { startedFromDockerInspect, type StartedContainer } from '../mounts/mount-verifier';
import { dockerCreateOptions, LABELS, type AgentContainerSpec } from './container-spec';

/** One started agent container, whatever the engine. */
export interface AgentContainer {
  id: string;
  name: string;
  /** What the mount verifier needs: the pid and the mounts as the engine reports them. */
  inspect(): Promise<StartedContainer>;
  /** Every stdout line, as it arrives; stderr goes to `onStderr`. */
  onLine(listener: (line: string) => void): void;
  onStderr(listener: (text: string) => void): void;
  /** Resolves with the exit code once the container has stopped and its output is read. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceSecs`. */
  stop(graceSecs: number): Promise<void>;
  kill(): Promise<void>;
  remove(): Promise<void>;
}

export interface ContainerEngine {
  readonly kind: 'docker' | 'apple_container';
  run(spec: AgentContainerSpec): Promise<AgentContainer>;
  /** Removes every container this install left behind (an app that was killed); returns names. */
  removeOrphans(installId: string): Promise<string[]>;
  /** The engine's network for agents, created when missing; null where it has no bridge. */
  agentNetwork(installId: string): Promise<string | null>;
}

/** The longest runner output line aigo keeps; the rest of a longer one is dropped. */
export const MAX_LINE_CHARS = 1024 * 1024;

/**
 * Splits a container's stdout into lines, like readline, but never holds more than `max`
 * characters of one: the agent owns that stream (it can write to the runner's stdout) and a
 * line that never ends must not grow aigo's memory until it dies.
 */
export function boundedLines(
  input: NodeJS.ReadableStream,
  onLine: (line: string) => void,
  max = MAX_LINE_CHARS,
): void {
  const decoder = new StringDecoder('utf8');
  let current = '';
  let dropped = 0;
  const emit = () => {
    const line = current.endsWith('\r') ? current.slice(0, -1) : current;
    const more = dropped;
    current = '';
    dropped = 0;
    onLine(more ? `${line}… [${more} more characters dropped]` : line);
  };
  const push = (text: string) => {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      const piece = nl < 0 ? text.slice(start) : text.slice(start, nl);
      const room = Math.max(0, max - current.length);
      if (piece.length > room) {
        current += piece.slice(0, room);
        dropped += piece.length - room;
      } else current += piece;
      if (nl < 0) return;
      emit();
      start = nl + 1;
    }
  };
  input.on('data', (chunk: Buffer | string) =>
    push(typeof chunk === 'string' ? chunk : decoder.write(chunk)),
  );
  input.on('end', () => {
    push(decoder.end());
    if (current || dropped) emit();
  });
}

export class DockerEngine implements ContainerEngine {
  readonly kind = 'docker' as const;
  /** Containers this aigo started and has not removed: never orphans, whenever the look runs. */
  private readonly own = new Set<string>();

  /**
   * `clients().short` bounds each request (creates, inspects); `clients().stream` has no timeout,
   * for what stays open as long as the agent works: its output and the wait for its exit.
   */
  constructor(
    private readonly clients: () => { short: Docker; stream: Docker; podman?: boolean },
    /** Told of each refusal and each start, so Health can show the last refusal until one works. */
    private readonly outcomes: { refused(error: AppError): void; started(): void } = {
      refused: () => undefined,
      started: () => undefined,
    },
  ) {}

  private docker(): Docker {
    return this.clients().short;
  }

  async run(spec: AgentContainerSpec): Promise<AgentContainer> {
    const docker = this.docker();
    // A refusal reaches the session (and the user) as its cause and fix, not the engine's text.
    const podman = this.clients().podman ?? false;
    const refused = (action: 'create' | 'start', error: unknown): unknown => {
      if (!isEngineAnswer(error)) return error; // not reached: the runtime monitor says so
      const refusal = engineRefusalError(error, { action, image: spec.image, podman });
      this.outcomes.refused(refusal);
      return refusal;
    };
    const created = await docker
      .createContainer(dockerCreateOptions(spec, { podman }))
      .catch((error: unknown) => {
        throw refused('create', error);
      });
    this.own.add(created.id);
    const container = this.clients().stream.getContainer(created.id);
    // Attached before the start, so not one line of output is missed.
    const stream = await container.attach({ stream: true, stdout: true, stderr: true, logs: true });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    docker.modem.demuxStream(stream, stdout, stderr);
    const lineListeners: ((line: string) => void)[] = [];
    const errListeners: ((text: string) => void)[] = [];
    boundedLines(stdout, (line) => lineListeners.forEach((l) => l(line)));
    stderr.on('data', (chunk: Buffer) => errListeners.forEach((l) => l(chunk.toString())));
    const outputDone = new Promise<void>((resolve) =>
      stream.on('end', resolve).on('close', resolve),
    );
    try {
      await container.start();
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      this.own.delete(created.id);
      throw refused('start', error);
    }
    this.outcomes.started();
    const exited = container
      .wait()
      .then(async (r: { StatusCode?: number }) => {
        // The attach stream ends a moment after the exit; give it that moment.
        await Promise.race([outputDone, new Promise((r2) => setTimeout(r2, 2000).unref())]);
        stdout.end();
        stderr.end();
        return typeof r.StatusCode === 'number' ? r.StatusCode : null;
      })
      .catch(() => null);
    return {
      id: container.id,
      name: spec.name,
      inspect: async () => startedFromDockerInspect(await container.inspect()),
      onLine: (l) => lineListeners.push(l),
      onStderr: (l) => errListeners.push(l),
      exited,
      stop: async (graceSecs) => {
        await container.stop({ t: graceSecs }).catch(() => undefined);
      },
      kill: async () => {
        await container.kill().catch(() => undefined);
      },
      remove: async () => {
        await container.remove({ force: true }).catch(() => undefined);
        this.own.delete(created.id);
      },
    };
  }

  async removeOrphans(installId: string): Promise<string[]> {
    const docker = this.docker();
    const found = (
      await docker.listContainers({
        all: true,
        filters: { label: [`${LABELS.install}=${installId}`, `${LABELS.kind}=agent`] },
      })
    ).filter((c) => !this.own.has(c.Id));
    for (const info of found)
      await docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => undefined);
    return found.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, ''));
  }

  async agentNetwork(installId: string): Promise<string | null> {
    const docker = this.docker();
    const networks = await docker.listNetworks();
    if (!networks.some((n) => n.Driver === 'bridge')) return null; // an engine run with --bridge=none
    const name = `aigo-agents-${installId.slice(0, 12)}`;
    if (!networks.some((n) => n.Name === name))
      await docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        Labels: { [LABELS.install]: installId },
        // No inter-container traffic: one agent cannot reach another.
        Options: { 'com.docker.network.bridge.enable_icc': 'false' },
      });
    return name;
  }
}
