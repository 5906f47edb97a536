import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors';
import {
  PROXY_HOST_ALIAS,
  PROXY_PLACEHOLDER,
  PROXY_SESSION_HEADER,
  type ProxyCheckResult,
  type ProxyMapping,
} from '../../../shared/schemas/proxy';
import type { RuntimeStatus } from '../../../shared/schemas/runtime';
import { hostGatewayTarget, isWildcardAddress } from './bind-address';
import { checkProxyFromContainer } from './container-check';
import type { BoundAddress } from './proxy-server';
import type { SessionTokens } from './session-tokens';

/** What a container session needs to reach the proxy: the guide's env vars and its token. */
export interface ContainerProxyConfig {
  env: Record<string, string>;
  extraHosts: string[];
  token: string;
}

export interface ContainerAccessDeps {
  sessions: SessionTokens;
  /** Where the proxy listens, or null while it does not. */
  bound: () => BoundAddress | null;
  runtime: () => RuntimeStatus;
  docker: () => Docker;
  logger: Logger;
}

/** How containers reach the proxy: their env, their session tokens, the names they may use. */
/** Names that always mean "this host" to a container or to the host itself. */
const FIXED_HOST_NAMES: ReadonlySet<string> = new Set([
  'localhost',
  '127.0.0.1',
  '::1',
  PROXY_HOST_ALIAS,
  'host.docker.internal',
  'host.containers.internal',
]);

export class ContainerAccess {
  constructor(private readonly deps: ContainerAccessDeps) {}

  /**
   * Env and host entries for a new container session; revoke with `revokeSession` when it ends.
   * The token opens only `mapping` when one is given (its placeholder is the key the container
   * sends), every mapping otherwise.
   */
  containerConfig(session: string, mapping?: ProxyMapping | 'none'): ContainerProxyConfig {
    const bound = this.deps.bound();
    if (!bound)
      throw new AppError(
        'UNREACHABLE',
        'The credential proxy is not running. Turn it on in Settings > Container > Credential Proxy.',
      );
    const scope = mapping === 'none' ? [] : mapping ? [mapping.id] : null;
    const token = this.deps.sessions.issue(session, scope);
    return {
      token,
      env: {
        ANTHROPIC_BASE_URL: `http://${PROXY_HOST_ALIAS}:${bound.port}`,
        ANTHROPIC_API_KEY: mapping && mapping !== 'none' ? mapping.placeholder : PROXY_PLACEHOLDER,
        AIGO_PROXY_TOKEN: token,
        ANTHROPIC_CUSTOM_HEADERS: `${PROXY_SESSION_HEADER}: ${token}`,
      },
      extraHosts: [`${PROXY_HOST_ALIAS}:${hostGatewayTarget(bound.host, this.deps.runtime())}`],
    };
  }

  revokeSession(session: string): void {
    this.deps.sessions.revokeSession(session);
  }

  /** Can a container made like an agent's reach the proxy? Runs one, in `image`, and asks. */
  async checkFromContainer(image: string): Promise<ProxyCheckResult> {
    const runtime = this.deps.runtime();
    const none = (result: ProxyCheckResult['result'], message: string, fix: string[]) => ({
      result,
      message,
      fix,
      latencyMs: 0,
    });
    if (!runtime.available)
      return none('runtime_unavailable', `No container runtime is available: ${runtime.message}`, [
        'Settings > Container > Runtime shows what to fix.',
      ]);
    if (runtime.backend !== 'docker')
      return none('error', 'The container check needs a Docker engine for now.', []);
    const bound = this.deps.bound();
    if (!bound)
      return none('unreachable', 'The credential proxy is not running.', [
        'Turn it on in Settings > Container > Credential Proxy.',
      ]);
    const session = `proxy-check-${randomUUID()}`;
    // The check only reaches the health endpoint: its token opens no mapping at all.
    const config = this.containerConfig(session, 'none');
    try {
      const result = await checkProxyFromContainer({
        docker: this.deps.docker(),
        image,
        env: config.env,
        extraHosts: config.extraHosts,
        networkMode: runtime.networking.source === 'host_network' ? 'host' : undefined,
        port: bound.port,
        bindAddress: bound.host,
        podman: runtime.product === 'Podman',
      });
      this.deps.logger.info(
        { result: result.result, ms: result.latencyMs },
        'Credential proxy container check',
      );
      return result;
    } finally {
      this.revokeSession(session);
    }
  }

  /** Names a container (or the host itself) may use to address the proxy. */
  hostAllowed(hostname: string): boolean {
    const bound = this.deps.bound();
    if (bound && isWildcardAddress(bound.host)) return true; // the user opened it to every interface
    const name = hostname.toLowerCase().replace(/^\[|\]$/g, '');
    if (FIXED_HOST_NAMES.has(name)) return true;
    if (bound && bound.host === name) return true;
    return this.deps.runtime().networking.hostGateway?.toLowerCase() === name;
  }
}
