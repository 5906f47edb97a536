import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors';
import {
  PROXY_HOST_ALIAS,
  PROXY_PLACEHOLDER,
  PROXY_PRESETS,
  PROXY_SESSION_HEADER,
  proxyConfigSchema,
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
import type Docker from 'dockerode';
import type { z } from 'zod';
import type { WarningCenter } from '../app/warnings';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import { redactString } from '../logging/redact';
import { maskKey, type SecretStore } from '../secrets/secret-store';
import { JsonStore } from '../store/json-store';
import { autoBindAddress, hostGatewayTarget } from './bind-address';
import { testMapping } from './mapping-test';
import { checkProxyFromContainer } from './container-check';
import {
  DEFAULT_PROXY_LIMITS,
  ProxyServer,
  type ProxyLimits,
  type Refusal,
  type RefusedRequest,
} from './proxy-server';
import { bounded } from './request-guards';
import { SessionTokens } from './session-tokens';

export const PROXY_CONFIG_FILE = 'credential-proxy.json';

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

/** What a stored key is bound to: the upstream origin (scheme, host, port) it was entered for. */
export function keyBinding(upstreamUrl: string): string {
  return `upstream:${new URL(upstreamUrl).origin}`;
}

function originOf(upstreamUrl: string): string {
  return new URL(upstreamUrl).origin;
}

/** Ids the proxy gives its mappings (randomUUID): older keys carry no binding to tell them by. */
const MAPPING_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Refusals that are about load rather than trust: a warning, not a violation. */
const LOAD_REFUSALS = new Set<Refusal>(['session_limit', 'address_limit', 'body_timeout']);

/** What a container session needs to reach the proxy: the guide's env vars and its token. */
export interface ContainerProxyConfig {
  env: Record<string, string>;
  extraHosts: string[];
  token: string;
}

/**
 * Real API keys stay on the host: containers send a placeholder and a per-session token, the
 * proxy swaps in the key and streams to the upstream. Keys live in the secret store only.
 */
export class CredentialProxyService {
  private readonly store: JsonStore<typeof proxyConfigSchema>;
  private readonly server: ProxyServer;
  readonly sessions = new SessionTokens();
  private bound: { host: string; port: number } | null = null;
  private stats = { requestsTotal: 0, requestsFailed: 0, lastError: null as string | null };
  private readonly usage = new Map<string, { lastStatus: number; lastUsedAt: string }>();
  private statusTimer: NodeJS.Timeout | null = null;
  private offRuntime: (() => void) | null = null;
  private transition: Promise<unknown> = Promise.resolve();
  readonly limits: ProxyLimits;

  constructor(private readonly deps: CredentialProxyDeps) {
    this.limits = { ...DEFAULT_PROXY_LIMITS, ...deps.limits };
    this.store = new JsonStore({
      path: join(deps.dataDir, PROXY_CONFIG_FILE),
      schema: proxyConfigSchema,
      defaults: () => proxyConfigSchema.parse({}),
      label: 'The credential proxy settings',
      warningCode: 'PROXY_CONFIG_CORRUPT',
      logger: deps.logger,
      warnings: deps.warnings,
    });
    this.server = new ProxyServer(
      {
        resolve: (presented) => this.resolve(presented),
        session: (token) => this.sessions.check(token),
        hostAllowed: (hostname) => this.hostAllowed(hostname),
        strict: () => this.config().strict,
        timeoutMs: () => this.config().upstreamTimeoutMs,
        onRefused: (refusal, req) => this.onRefused(refusal, req),
        onResponse: (mapping, status, session, remote) =>
          this.onResponse(mapping, status, session, remote),
        onUpstreamError: (mapping, message) => {
          this.stats.lastError = message;
          this.deps.logger.warn(
            { mapping: mapping.name, upstream: mapping.upstreamUrl },
            `Upstream failed: ${message}`,
          );
        },
      },
      this.limits,
    );
  }

  async start(): Promise<void> {
    await this.removeStaleConfigTemp();
    await this.store.load();
    const { removedTempFiles } = await this.deps.secrets.load();
    if (removedTempFiles.length > 0) {
      this.deps.logger.info(
        { files: removedTempFiles },
        'Removed temporary copies of the secret file left by an interrupted write',
      );
      this.deps.audit.record({
        severity: 'info',
        category: 'proxy',
        message: `Removed ${removedTempFiles.length === 1 ? 'a temporary copy' : `${removedTempFiles.length} temporary copies`} of the secret file left by an interrupted write`,
        details: { files: removedTempFiles },
      });
    }
    await this.reconcileKeys();
    // Follow the runtime: when Docker's gateway address changes, the auto bind address does too.
    this.offRuntime = this.deps.bus.on('runtime.changed', () => {
      if (this.bound && !this.config().bindAddress && this.bindAddress() !== this.bound.host)
        void this.restart('the host gateway changed');
    });
    if (this.config().enabled) await this.startServer('app start', false);
  }

  async stop(): Promise<void> {
    this.offRuntime?.();
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = null;
    await this.transition.catch(() => undefined);
    await this.server.close();
    this.bound = null;
    await this.store.flush();
    await this.deps.secrets.flush();
  }

  config(): ProxyConfig {
    return this.store.get();
  }

  status(): ProxyStatus {
    const config = this.config();
    return {
      running: this.bound !== null,
      enabled: config.enabled,
      port: this.bound?.port ?? config.port,
      bindAddress: this.bound?.host ?? this.bindAddress(),
      mappingCount: config.mappings.length,
      strict: config.strict,
      requestsTotal: this.stats.requestsTotal,
      requestsFailed: this.stats.requestsFailed,
      lastError: this.stats.lastError,
      containerBaseUrl: `http://${PROXY_HOST_ALIAS}:${this.bound?.port ?? config.port}`,
      mappings: this.mappingViews().map(({ id, name, upstreamUrl, lastStatus, lastUsedAt }) => ({
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
    return { status: this.status(), config, mappings: this.mappingViews(), presets: PROXY_PRESETS };
  }

  /** The toggle: persists the choice, then starts or stops the server. */
  async setEnabled(enabled: boolean): Promise<ProxyStatus> {
    await this.store.replace({ ...this.config(), enabled });
    if (enabled) await this.startServer('turned on', true);
    else await this.stopServer('turned off');
    return this.status();
  }

  async updateSettings(patch: z.infer<typeof proxySettingsPatchSchema>): Promise<ProxyView> {
    const before = this.config();
    const next = await this.store.replace({ ...before, ...patch });
    const rebind = next.port !== before.port || next.bindAddress !== before.bindAddress;
    if (next.enabled && (!this.bound || rebind)) await this.restart('settings changed', true);
    if (!next.enabled && this.bound) await this.stopServer('turned off');
    this.changed();
    return this.view();
  }

  async createMapping(input: z.infer<typeof createMappingSchema>): Promise<ProxyMappingView> {
    const now = new Date().toISOString();
    const mapping: ProxyMapping = {
      id: randomUUID(),
      name: input.name,
      kind: input.kind,
      upstreamUrl: input.upstreamUrl.replace(/\/+$/, ''),
      placeholder: input.placeholder ?? PROXY_PLACEHOLDER,
      auth: input.auth,
      createdAt: now,
      updatedAt: now,
    };
    this.assertPlaceholderFree(mapping.placeholder, null);
    // The key first: a crash before the mapping is written leaves an orphan key, which the next
    // start removes (audited); a failed write here takes the key back at once.
    await this.deps.secrets.set(mapping.id, input.apiKey, keyBinding(mapping.upstreamUrl));
    try {
      await this.store.replace({
        ...this.config(),
        mappings: [...this.config().mappings, mapping],
      });
    } catch (error) {
      await this.deps.secrets.delete(mapping.id).catch(() => undefined);
      throw error;
    }
    this.deps.audit.record({
      severity: 'info',
      category: 'proxy',
      message: `Credential mapping "${mapping.name}" added`,
      details: { id: mapping.id, upstreamUrl: mapping.upstreamUrl },
    });
    this.changed();
    return this.mappingView(mapping);
  }

  async updateMapping(input: z.infer<typeof updateMappingSchema>): Promise<ProxyMappingView> {
    const current = this.findMapping(input.id);
    const { apiKey, id, ...fields } = input;
    const next: ProxyMapping = {
      ...current,
      ...definedOnly(fields),
      updatedAt: new Date().toISOString(),
    };
    next.upstreamUrl = next.upstreamUrl.replace(/\/+$/, '');
    this.assertPlaceholderFree(next.placeholder, id);
    const from = originOf(current.upstreamUrl);
    const to = originOf(next.upstreamUrl);
    // A key is bound to the origin it was entered for: whoever may edit mappings must not be
    // able to point one elsewhere and press Test to have the key sent there.
    if (from !== to && !apiKey)
      throw new AppError(
        'INVALID_INPUT',
        `Mapping "${current.name}" would send its API key to ${to} instead of ${from}, where it was entered. A key only goes to the upstream (scheme, host and port) it was entered for: enter the API key again in the same change, or keep the upstream's origin (changing only the path keeps the key).`,
        { issues: [{ path: 'apiKey', message: 'required when the upstream origin changes' }] },
      );
    const previous = { value: this.deps.secrets.get(id), binding: this.deps.secrets.bindingOf(id) };
    if (apiKey) await this.deps.secrets.set(id, apiKey, keyBinding(next.upstreamUrl));
    try {
      await this.store.replace({
        ...this.config(),
        mappings: this.config().mappings.map((m) => (m.id === id ? next : m)),
      });
    } catch (error) {
      // Put the old key back; after a crash instead, the new key is bound to the new origin and
      // so is never sent to the old one.
      if (apiKey && previous.value !== null)
        await this.deps.secrets.set(id, previous.value, previous.binding).catch(() => undefined);
      throw error;
    }
    this.deps.audit.record({
      severity: 'info',
      category: 'proxy',
      message: `Credential mapping "${next.name}" changed${apiKey ? ' (key replaced)' : ''}`,
      details: { id, fields: Object.keys(definedOnly(fields)), keyReplaced: Boolean(apiKey) },
    });
    this.changed();
    return this.mappingView(next);
  }

  async deleteMapping(id: string): Promise<void> {
    const mapping = this.findMapping(id);
    // The key first: a crash between the two writes leaves a mapping without a key (shown as
    // such, refused by the proxy, deletable again), never a key without a mapping.
    await this.deps.secrets.delete(id);
    await this.store.replace({
      ...this.config(),
      mappings: this.config().mappings.filter((m) => m.id !== id),
    });
    this.usage.delete(id);
    this.deps.audit.record({
      severity: 'info',
      category: 'proxy',
      message: `Credential mapping "${mapping.name}" removed`,
      details: { id },
    });
    this.changed();
  }

  async testMapping(id: string): Promise<MappingTestResult> {
    const mapping = this.findMapping(id);
    const key = this.deps.secrets.getBound(id, keyBinding(mapping.upstreamUrl));
    if (!key && this.deps.secrets.has(id))
      return {
        result: 'error',
        status: null,
        latencyMs: 0,
        message: `The API key of mapping "${mapping.name}" was entered for another upstream than ${originOf(mapping.upstreamUrl)}, so it is not sent there. Edit the mapping and enter the API key again.`,
      };
    if (!key)
      return {
        result: 'error',
        status: null,
        latencyMs: 0,
        message: `Mapping "${mapping.name}" has no API key. Enter one and save.`,
      };
    const result = await testMapping(mapping, key);
    if (result.result === 'key_rejected') {
      this.deps.audit.record({
        severity: 'warning',
        category: 'proxy',
        message: `Upstream rejected the key of mapping "${mapping.name}" during a test (HTTP ${result.status})`,
        details: { id },
      });
    }
    return result;
  }

  /**
   * Env and host entries for a new container session; revoke with `revokeSession` when it ends.
   * The token opens only `mapping` when one is given (its placeholder is the key the container
   * sends), every mapping otherwise.
   */
  containerConfig(session: string, mapping?: ProxyMapping | 'none'): ContainerProxyConfig {
    if (!this.bound)
      throw new AppError(
        'UNREACHABLE',
        'The credential proxy is not running. Turn it on in Settings > Container > Credential Proxy.',
      );
    const scope = mapping === 'none' ? [] : mapping ? [mapping.id] : null;
    const token = this.sessions.issue(session, scope);
    return {
      token,
      env: {
        ANTHROPIC_BASE_URL: `http://${PROXY_HOST_ALIAS}:${this.bound.port}`,
        ANTHROPIC_API_KEY: mapping && mapping !== 'none' ? mapping.placeholder : PROXY_PLACEHOLDER,
        AIGO_PROXY_TOKEN: token,
        ANTHROPIC_CUSTOM_HEADERS: `${PROXY_SESSION_HEADER}: ${token}`,
      },
      extraHosts: [
        `${PROXY_HOST_ALIAS}:${hostGatewayTarget(this.bound.host, this.deps.runtime())}`,
      ],
    };
  }

  revokeSession(session: string): void {
    this.sessions.revokeSession(session);
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
    if (!this.bound)
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
        port: this.bound.port,
        bindAddress: this.bound.host,
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
  private hostAllowed(hostname: string): boolean {
    if (this.bound?.host === '0.0.0.0' || this.bound?.host === '::') return true; // the user opened it to every interface
    const known = new Set([
      'localhost',
      '127.0.0.1',
      '::1',
      PROXY_HOST_ALIAS,
      'host.docker.internal',
      'host.containers.internal',
    ]);
    if (this.bound) known.add(this.bound.host);
    const gateway = this.deps.runtime().networking.hostGateway;
    if (gateway) known.add(gateway.toLowerCase());
    return known.has(hostname.toLowerCase().replace(/^\[|\]$/g, ''));
  }

  private bindAddress(): string {
    return this.config().bindAddress ?? autoBindAddress(this.deps.runtime());
  }

  private restart(reason: string, throwOnError = false): Promise<void> {
    return this.serialise(async () => {
      // Queued work may run after the user turned the proxy off: then it stays off.
      if (!this.config().enabled) return;
      await this.server.close();
      this.bound = null;
      await this.listen(reason, throwOnError);
    });
  }

  private startServer(reason: string, throwOnError: boolean): Promise<void> {
    return this.serialise(async () => {
      if (!this.bound && this.config().enabled) await this.listen(reason, throwOnError);
    });
  }

  private stopServer(reason: string): Promise<void> {
    return this.serialise(async () => {
      if (!this.bound) return;
      await this.server.close();
      this.bound = null;
      this.deps.audit.record({
        severity: 'info',
        category: 'proxy',
        message: `Credential proxy stopped (${reason})`,
        details: {},
      });
      this.changed();
    });
  }

  private async listen(reason: string, throwOnError: boolean): Promise<void> {
    const host = this.bindAddress();
    try {
      this.bound = await this.server.listen(host, this.deps.portOverride ?? this.config().port);
      this.stats.lastError = null;
      this.deps.warnings.resolve('PROXY_START_FAILED');
      this.deps.audit.record({
        severity: 'info',
        category: 'proxy',
        message: `Credential proxy started on ${this.bound.host}:${this.bound.port} (${reason})`,
        details: { ...this.bound, strict: this.config().strict },
      });
      this.deps.logger.info(this.bound, 'Credential proxy listening');
    } catch (error) {
      this.stats.lastError = (error as Error).message;
      this.deps.logger.error({ err: error }, 'Credential proxy could not start');
      if (throwOnError) throw error;
      this.deps.warnings.add('PROXY_START_FAILED', (error as Error).message);
    } finally {
      this.changed();
    }
  }

  private serialise(work: () => Promise<void>): Promise<void> {
    const next = this.transition.catch(() => undefined).then(work);
    this.transition = next;
    return next;
  }

  private resolve(
    presented: string,
  ): { mapping: ProxyMapping; key: string } | { refusal: Refusal } {
    const mapping = this.config().mappings.find((m) => m.placeholder === presented);
    if (!mapping)
      return {
        refusal:
          redactString(presented) !== presented || presented.length >= 40
            ? 'real_key'
            : 'unknown_placeholder',
      };
    const key = this.deps.secrets.getBound(mapping.id, keyBinding(mapping.upstreamUrl));
    if (key) return { mapping, key };
    return { refusal: this.deps.secrets.has(mapping.id) ? 'key_not_bound' : 'no_real_key' };
  }

  private onRefused(refusal: Refusal, req: RefusedRequest): void {
    this.stats.requestsTotal++;
    this.stats.requestsFailed++;
    // Anyone who reaches the port can cause these: bounded text, and one coalescing key per
    // cause and source so a flood adds a count, not entries.
    const method = bounded(req.method, 20);
    const path = bounded(req.path);
    const remote = req.remote ?? 'unknown';
    const cause = refusal.replace(/_/g, ' ');
    this.stats.lastError = `Refused ${method} ${path}: ${cause}`;
    this.deps.audit.record({
      severity: LOAD_REFUSALS.has(refusal) ? 'warning' : 'violation',
      category: 'proxy',
      ...(req.session ? { container: req.session } : {}),
      message: `Credential proxy refused ${method} ${path}: ${cause}`,
      details: { refusal, method, path, remote: req.remote ?? null },
      coalesceKey: `proxy-refusal:${refusal}:${remote}`,
    });
    this.changed();
  }

  private onResponse(
    mapping: ProxyMapping,
    status: number,
    session: string | null,
    remote: string | undefined,
  ): void {
    this.stats.requestsTotal++;
    if (status >= 400) this.stats.requestsFailed++;
    this.usage.set(mapping.id, { lastStatus: status, lastUsedAt: new Date().toISOString() });
    if (status === 401 || status === 403) {
      // A container can provoke these as often as it likes: coalesced per cause and source.
      this.deps.audit.record({
        severity: 'warning',
        category: 'proxy',
        ...(session ? { container: session } : {}),
        message: `Upstream ${mapping.upstreamUrl} rejected the key of mapping "${mapping.name}" (HTTP ${status}). Check that the real API key is valid.`,
        details: { id: mapping.id, status },
        coalesceKey: `proxy-refusal:upstream_${status}:${remote ?? 'unknown'}`,
      });
    }
    this.changed();
  }

  /** steno (JsonStore's writer) writes `.credential-proxy.json.tmp` and renames it. */
  private async removeStaleConfigTemp(): Promise<void> {
    const name = `.${PROXY_CONFIG_FILE}.tmp`;
    try {
      if (!(await readdir(this.deps.dataDir)).includes(name)) return;
    } catch {
      return; // no data folder yet
    }
    await rm(join(this.deps.dataDir, name), { force: true });
    this.deps.logger.info({ file: name }, 'Removed a temporary settings copy left by a crash');
  }

  /**
   * After a crash: keys written before bindings existed are bound to their mapping's origin,
   * and keys whose mapping is gone (an interrupted create or delete) are removed, audited.
   */
  private async reconcileKeys(): Promise<void> {
    const mappings = new Map(this.config().mappings.map((m) => [m.id, m]));
    const secrets = this.deps.secrets;
    for (const [id, mapping] of mappings)
      if (secrets.has(id) && secrets.bindingOf(id) === null)
        await secrets.bind(id, keyBinding(mapping.upstreamUrl));
    for (const id of secrets.ids()) {
      if (mappings.has(id)) continue;
      const binding = secrets.bindingOf(id);
      // Only the proxy's own keys: bound to an upstream, or (older) named like a mapping id.
      if (!(binding?.startsWith('upstream:') || (binding === null && MAPPING_ID.test(id))))
        continue;
      await secrets.delete(id);
      this.deps.audit.record({
        severity: 'warning',
        category: 'proxy',
        message: `Removed the orphan API key of credential mapping ${id}, which no longer exists (an interrupted create or delete left the key behind)`,
        details: { id, upstream: binding?.slice('upstream:'.length) ?? null },
      });
      this.deps.logger.warn({ id }, 'Removed an orphan credential mapping key');
    }
  }

  /** Status events at most twice a second, however busy the proxy is. */
  private changed(): void {
    if (this.statusTimer) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null;
      this.deps.bus.emit('proxy.changed', this.status());
    }, 500);
    this.statusTimer.unref();
  }

  private findMapping(id: string): ProxyMapping {
    const mapping = this.config().mappings.find((m) => m.id === id);
    if (!mapping) throw new AppError('NOT_FOUND', `No credential mapping with id "${id}".`);
    return mapping;
  }

  private assertPlaceholderFree(placeholder: string, except: string | null): void {
    const other = this.config().mappings.find(
      (m) => m.placeholder === placeholder && m.id !== except,
    );
    if (other)
      throw new AppError(
        'CONFLICT',
        `The placeholder "${placeholder}" is already used by mapping "${other.name}"; each mapping needs its own.`,
        { mapping: other.id },
      );
  }

  private mappingViews(): ProxyMappingView[] {
    return this.config().mappings.map((m) => this.mappingView(m));
  }

  private mappingView(mapping: ProxyMapping): ProxyMappingView {
    // A key bound to another origin is as good as none: it is never sent to this one.
    const key = this.deps.secrets.getBound(mapping.id, keyBinding(mapping.upstreamUrl));
    const usage = this.usage.get(mapping.id);
    return {
      ...mapping,
      hasKey: key !== null,
      keyLast4: maskKey(key),
      lastStatus: usage?.lastStatus ?? null,
      lastUsedAt: usage?.lastUsedAt ?? null,
    };
  }
}

function definedOnly<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
