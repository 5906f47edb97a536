import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  PROXY_HOST_ALIAS,
  PROXY_PRESETS,
  type createMappingSchema,
  type MappingTestResult,
  type ProxyCheckResult,
  type ProxyConfig,
  type ProxyMapping,
  type ProxyMappingView,
  type proxySettingsPatchSchema,
  type ProxyStatus,
  type ProxyView,
  type updateMappingSchema,
} from '../../../shared/schemas/proxy';
import type { RuntimeStatus } from '../../../shared/schemas/runtime';
import type { WarningCenter } from '../app/warnings';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { SecretStore } from '../secrets/secret-store';
import { ContainerAccess, type ContainerProxyConfig } from './container-access';
import { loadSecrets, reconcileKeys } from './crash-recovery';
import { MappingRegistry } from './mapping-registry';
import { ProxyActivity } from './proxy-activity';
import {
  createConfigStore,
  removeStaleConfigTemp,
  type ProxyConfigStore,
} from './proxy-config-store';
import { ProxyLifecycle } from './proxy-lifecycle';
import { DEFAULT_PROXY_LIMITS, type ProxyLimits } from './proxy-limits';
import { ProxyServer } from './proxy-server';
import { SessionTokens } from './session-tokens';
import { TrafficAudit } from './traffic-audit';

export { PROXY_CONFIG_FILE } from './proxy-config-store';

export interface CredentialProxyDeps {
  dataDir: string;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  warnings: WarningCenter;
  secrets: SecretStore;
  runtime: () => RuntimeStatus;
  /** The engine's client, for the container check. */
  docker: () => Docker;
  /** Overrides the configured port (AIGO_PROXY_PORT; 0 picks a free one): a second instance, tests. */
  portOverride?: number;
  /** How much of the proxy one session or address may hold (defaults: DEFAULT_PROXY_LIMITS). */
  limits?: Partial<ProxyLimits>;
}

/**
 * Real API keys stay on the host: containers send a placeholder and a per-session token, the
 * proxy swaps in the key and streams to the upstream. Keys live in the secret store only.
 *
 * This class puts the parts together: the mappings and their keys (MappingRegistry), the
 * server's start and stop (ProxyLifecycle), what containers are given (ContainerAccess), and
 * what the traffic leaves behind (ProxyActivity, TrafficAudit).
 */
export class CredentialProxyService {
  private readonly store: ProxyConfigStore;
  private readonly activity: ProxyActivity;
  private readonly mappings: MappingRegistry;
  private readonly lifecycle: ProxyLifecycle;
  private readonly containers: ContainerAccess;
  private offRuntime: (() => void) | null = null;
  readonly sessions = new SessionTokens();
  readonly limits: ProxyLimits;

  constructor(private readonly deps: CredentialProxyDeps) {
    this.limits = { ...DEFAULT_PROXY_LIMITS, ...deps.limits };
    this.store = createConfigStore(deps);
    this.activity = new ProxyActivity(() => deps.bus.emit('proxy.changed', this.status()));
    this.mappings = new MappingRegistry({ ...deps, store: this.store, activity: this.activity });
    this.containers = new ContainerAccess({
      ...deps,
      sessions: this.sessions,
      bound: () => this.lifecycle.bound,
    });
    const traffic = new TrafficAudit(deps, this.activity);
    const server = new ProxyServer(
      {
        resolve: (presented) => this.mappings.resolve(presented),
        session: (token) => this.sessions.check(token),
        hostAllowed: (hostname) => this.containers.hostAllowed(hostname),
        strict: () => this.store.snapshot().strict,
        timeoutMs: () => this.store.snapshot().upstreamTimeoutMs,
        onRefused: traffic.onRefused,
        onResponse: traffic.onResponse,
        onUpstreamError: traffic.onUpstreamError,
      },
      this.limits,
    );
    this.lifecycle = new ProxyLifecycle({
      ...deps,
      server,
      config: () => this.config(),
      activity: this.activity,
    });
  }

  async start(): Promise<void> {
    await removeStaleConfigTemp(this.deps.dataDir, this.deps.logger);
    await this.store.load();
    await loadSecrets(this.deps);
    await reconcileKeys(this.config().mappings, this.deps);
    this.offRuntime = this.lifecycle.followRuntime(this.deps.bus);
    if (this.config().enabled) await this.lifecycle.start('app start', false);
  }

  async stop(): Promise<void> {
    this.offRuntime?.();
    this.activity.stopNotifying();
    await this.lifecycle.shutdown();
    await this.store.flush();
    await this.deps.secrets.flush();
  }

  config(): ProxyConfig {
    return this.store.get();
  }

  status(): ProxyStatus {
    const config = this.config();
    const bound = this.lifecycle.bound;
    return {
      running: bound !== null,
      enabled: config.enabled,
      port: bound?.port ?? this.deps.portOverride ?? config.port,
      bindAddress: bound?.host ?? this.lifecycle.bindAddress(),
      portSource: this.deps.portOverride !== undefined ? 'environment' : 'settings',
      mappingCount: config.mappings.length,
      strict: config.strict,
      requestsTotal: this.activity.requestsTotal,
      requestsFailed: this.activity.requestsFailed,
      lastError: this.activity.lastError,
      containerBaseUrl: `http://${PROXY_HOST_ALIAS}:${bound?.port ?? this.deps.portOverride ?? config.port}`,
      mappings: this.mappings.views().map(({ id, name, upstreamUrl, lastStatus, lastUsedAt }) => ({
        id,
        name,
        upstreamUrl,
        lastStatus,
        lastUsedAt,
      })),
    };
  }

  view(): ProxyView {
    const { mappings: _mappings, ...config } = this.config();
    return {
      status: this.status(),
      config,
      mappings: this.mappings.views(),
      presets: PROXY_PRESETS,
    };
  }

  /** The toggle: persists the choice, then starts or stops the server. */
  async setEnabled(enabled: boolean): Promise<ProxyStatus> {
    await this.store.replace({ ...this.config(), enabled });
    if (enabled) await this.lifecycle.start('turned on', true);
    else await this.lifecycle.stop('turned off');
    return this.status();
  }

  async updateSettings(patch: z.infer<typeof proxySettingsPatchSchema>): Promise<ProxyView> {
    const before = this.config();
    const candidate = { ...before, ...patch };
    const rebind = candidate.port !== before.port || candidate.bindAddress !== before.bindAddress;
    const listen = candidate.enabled && (!this.lifecycle.bound || rebind);
    // A bad address or a taken port is refused before anything is saved or closed.
    if (listen) await this.lifecycle.checkCanListen(candidate);
    const next = await this.store.replace(candidate);
    if (listen) await this.restartOrRollBack(before);
    if (!next.enabled && this.lifecycle.bound) await this.lifecycle.stop('turned off');
    this.activity.changed();
    return this.view();
  }

  /** Rebinds; if that fails after the check passed (a race), goes back to the old settings. */
  private async restartOrRollBack(before: ProxyConfig): Promise<void> {
    try {
      await this.lifecycle.restart('settings changed', true);
    } catch (error) {
      await this.store.replace(before);
      if (before.enabled) await this.lifecycle.restart('settings restored');
      throw error;
    }
  }

  createMapping(input: z.infer<typeof createMappingSchema>): Promise<ProxyMappingView> {
    return this.mappings.create(input);
  }

  updateMapping(input: z.infer<typeof updateMappingSchema>): Promise<ProxyMappingView> {
    return this.mappings.update(input);
  }

  deleteMapping(id: string): Promise<void> {
    return this.mappings.delete(id);
  }

  testMapping(id: string): Promise<MappingTestResult> {
    return this.mappings.test(id);
  }

  /** See ContainerAccess.containerConfig. */
  containerConfig(session: string, mapping?: ProxyMapping | 'none'): ContainerProxyConfig {
    return this.containers.containerConfig(session, mapping);
  }

  revokeSession(session: string): void {
    this.containers.revokeSession(session);
  }

  /** Can a container made like an agent's reach the proxy? Runs one, in `image`, and asks. */
  checkFromContainer(image: string): Promise<ProxyCheckResult> {
    return this.containers.checkFromContainer(image);
  }
}
