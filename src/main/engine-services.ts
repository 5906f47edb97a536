import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AppOptions } from './app-options';
import type { WarningCenter } from './services/app/warnings';
import type { AuditLog } from './services/audit/audit-log';
import type { EventBus } from './services/events/event-bus';
import { locateContext } from './services/image/build-context';
import { ImageService } from './services/image/image-service';
import { MountSecurityService } from './services/mounts/mount-security-service';
import { CredentialProxyService } from './services/proxy/credential-proxy-service';
import { fileOnlyCodec, SecretStore } from './services/secrets/secret-store';
import { realHostEnv } from './services/runtime/host-env';
import { RuntimeService } from './services/runtime/runtime-service';
import type { SettingsService } from './services/settings/settings-service';

export interface EngineServicesDeps {
  options: AppOptions;
  dataDir: string;
  version: string;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  warnings: WarningCenter;
  settings: SettingsService;
}

/**
 * The services that talk to the container engine, in dependency order:
 *  1. container runtime  — detection and its background monitor
 *  2. mount security     — the allowlist; protects the runtime's socket, so after 1
 *  3. credential proxy   — binds where containers reach the host, so after 1
 *  4. agent image        — inspects and builds through the runtime, so after 1
 * Built at once (their constructors do no I/O), so the API can answer about them; started by
 * `start`, which hands each one's stop to the app's stack as it goes.
 */
export function createEngineServices(deps: EngineServicesDeps) {
  const { bus, audit, warnings } = deps;
  const runtime = new RuntimeService({
    host: deps.options.hostEnv ?? realHostEnv(),
    bus,
    audit,
    logger: deps.logger.child({ scope: 'runtime' }),
    settings: () => deps.settings.get().runtime,
    ...deps.options.runtimeTiming,
  });
  const mounts = new MountSecurityService({
    dataDir: deps.dataDir,
    home: homedir(),
    env: process.env,
    caseInsensitive: process.platform === 'darwin' || process.platform === 'win32',
    bus,
    audit,
    logger: deps.logger.child({ scope: 'mounts' }),
    warnings,
    runtimeSocket: () => {
      const endpoint = runtime.status().endpoint;
      return endpoint?.startsWith('unix://') ? endpoint.slice('unix://'.length) : null;
    },
  });
  const secrets = new SecretStore(
    join(deps.dataDir, 'secrets.json'),
    deps.options.secretCodec ?? fileOnlyCodec,
  );
  const proxy = new CredentialProxyService({
    dataDir: deps.dataDir,
    bus,
    audit,
    logger: deps.logger.child({ scope: 'proxy' }),
    warnings,
    secrets,
    runtime: () => runtime.status(),
    docker: () => runtime.docker().client,
    ...(deps.options.proxyPort !== undefined ? { portOverride: deps.options.proxyPort } : {}),
  });
  const image = new ImageService({
    runtime,
    bus,
    audit,
    logger: deps.logger.child({ scope: 'image' }),
    settings: () => deps.settings.get().image,
    appVersion: deps.version,
    context: deps.options.imageContext ?? locateContext(),
    // AIGO_AGENT_IMAGE: another tag for the agent image (a second install, tests).
    ...(deps.options.agentImage || process.env.AIGO_AGENT_IMAGE
      ? { image: deps.options.agentImage ?? (process.env.AIGO_AGENT_IMAGE as string) }
      : {}),
  });

  return {
    runtime,
    mounts,
    secrets,
    proxy,
    image,
    async start(push: (stop: () => Promise<void>) => void): Promise<void> {
      await runtime.start();
      push(() => runtime.stop());
      const offRuntimeSettings = deps.bus.on(
        'settings.changed',
        () => void runtime.recheck('settings changed'),
      );
      push(async () => void offRuntimeSettings());

      await mounts.start();
      push(() => mounts.stop());

      await proxy.start();
      push(() => proxy.stop());

      await image.start();
      push(() => image.stop());
      // A runtime that comes back (or changes) may hold a different image: look again.
      const offImageRuntime = deps.bus.on(
        'runtime.changed',
        () => void image.refresh().catch(() => undefined),
      );
      push(async () => void offImageRuntime());
    },
  };
}

export type EngineServices = ReturnType<typeof createEngineServices>;
