import type Docker from 'dockerode';
import type { ProxyCheckResult } from '../../../shared/schemas/proxy';
import { demuxDockerLogs } from '../runtime/docker-logs';
import { classifyRefusal, isEngineAnswer, type EngineRefusal } from '../runtime/engine-refusal';
import { PROXY_HEALTH_PATH } from './proxy-server';

const CHECK_LABEL = 'org.aigo.proxy-check';

/** What the container runs: node's fetch against ANTHROPIC_BASE_URL, one JSON line out. */
const SCRIPT = `fetch(process.env.ANTHROPIC_BASE_URL + '${PROXY_HEALTH_PATH}', { signal: AbortSignal.timeout(8000) })
  .then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.text() })))
  .catch((e) => console.log(JSON.stringify({ error: String((e.cause && e.cause.code) || e.name || e.message) })));`;

export interface ContainerCheckInput {
  docker: Docker;
  image: string;
  env: Record<string, string>;
  extraHosts: string[];
  /** `host` when containers share the host network (no bridge), else the engine's default. */
  networkMode: string | undefined;
  port: number;
  bindAddress: string;
  /** The engine is Podman (its fixes differ). */
  podman: boolean;
}

/**
 * The guide's "Proxy Starts But Requests Fail", checked for the user: a container made the
 * way agent containers are (same env, same host entry, same network) calls the proxy.
 */
export async function checkProxyFromContainer(
  input: ContainerCheckInput,
): Promise<ProxyCheckResult> {
  const started = Date.now();
  const fix = [
    `Verify the host-gateway address is correct for your platform (Settings > Container > Runtime > Host gateway override; containers now reach the host at ${gatewayWords(input.extraHosts[0]?.split(':').slice(1).join(':'))}).`,
    `Check that firewall rules are not blocking port ${input.port}.`,
    `Check the proxy's bind address (${input.bindAddress}) is one containers can reach (Settings > Container > Credential Proxy).`,
  ];
  // Checks cut short by a quit or a crash leave their container behind: clear those first.
  const old = await input.docker
    .listContainers({ all: true, filters: { label: [CHECK_LABEL] } })
    .catch(() => []);
  for (const c of old)
    await input.docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  let container: Docker.Container;
  try {
    container = await input.docker.createContainer({
      Image: input.image,
      Entrypoint: ['node', '-e', SCRIPT],
      Cmd: [],
      User: '1000:1000',
      Env: Object.entries(input.env).map(([k, v]) => `${k}=${v}`),
      Labels: { [CHECK_LABEL]: '1' },
      HostConfig: {
        ExtraHosts: input.extraHosts,
        ...(input.networkMode ? { NetworkMode: input.networkMode } : {}),
      },
    });
  } catch (error) {
    if (!isEngineAnswer(error)) return notReached('create', error, started);
    const refusal = classifyRefusal(error, {
      action: 'create',
      image: input.image,
      podman: input.podman,
    });
    if (refusal.cause === 'image_missing') {
      return {
        result: 'image_missing',
        message: `The image ${input.image} is not built yet.`,
        fix: ['Settings > Container > Image → Rebuild Image, then check again.'],
        latencyMs: Date.now() - started,
      };
    }
    return refused(refusal, started);
  }
  try {
    try {
      await container.start();
    } catch (error) {
      if (!isEngineAnswer(error)) return notReached('start', error, started);
      return refused(
        classifyRefusal(error, { action: 'start', image: input.image, podman: input.podman }),
        started,
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      container.wait(),
      new Promise<null>((r) => {
        timer = setTimeout(() => r(null), 20_000);
      }),
    ]).finally(() => clearTimeout(timer));
    if (waited === null)
      return {
        result: 'unreachable',
        message: 'The check container did not finish within 20 s.',
        fix,
        latencyMs: Date.now() - started,
      };
    const logs = demuxDockerLogs(
      (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer,
    );
    const line = logs
      .split('\n')
      .map((l) => l.slice(l.indexOf('{')))
      .find((l) => l.startsWith('{'));
    let outcome: { status?: number; body?: string; error?: string };
    try {
      outcome = line
        ? (JSON.parse(line.trim()) as typeof outcome)
        : { error: logs.trim().slice(-300) || 'no output' };
    } catch {
      outcome = { error: `unreadable output: ${logs.trim().slice(-200)}` };
    }
    const latencyMs = Date.now() - started;
    if (outcome.status === 200 && outcome.body?.includes('aigo-credential-proxy')) {
      return {
        result: 'reachable',
        message: `A container reached the credential proxy at ${input.env.ANTHROPIC_BASE_URL}.`,
        fix: [],
        latencyMs,
      };
    }
    const what = outcome.error ?? `HTTP ${outcome.status}`;
    return {
      result: 'unreachable',
      message: `A container could not reach the credential proxy at ${input.env.ANTHROPIC_BASE_URL}: ${what}.`,
      fix,
      latencyMs,
    };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** The engine did not answer (it went away mid-check): not a refusal, the runtime page says more. */
function notReached(action: 'create' | 'start', error: unknown, started: number): ProxyCheckResult {
  return {
    result: 'error',
    message: `Could not ${action} the check container: ${(error as Error).message}`,
    fix: ['Settings > Container > Runtime shows whether the engine is running.'],
    latencyMs: Date.now() - started,
  };
}

/** The engine's refusal as the check's answer: the cause, its words, and the fix. */
function refused(refusal: EngineRefusal, started: number): ProxyCheckResult {
  return {
    result: 'engine_refused',
    message: `${refusal.summary} The engine said: ${refusal.engineMessage}`,
    fix: refusal.fix,
    latencyMs: Date.now() - started,
  };
}

/** Docker's own `host-gateway` value means "the engine's bridge address"; say so. */
function gatewayWords(target: string | undefined): string {
  if (!target) return 'an address aigo could not determine';
  return target === 'host-gateway'
    ? "the engine's host gateway (the bridge address, typically 172.17.0.1 on Linux)"
    : target;
}
