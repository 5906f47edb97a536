import type { Logger } from 'pino';
import type { AppInfo } from '../shared/schemas/app';
import type { ChannelEndpoints } from './domains/channel-endpoints';
import type { Dispatch } from './dispatch';
import type { CoreServices } from './handlers';
import type { ApiServer } from './http/server';
import type { HostShell } from './services/app/host-shell';
import type { EventBus } from './services/events/event-bus';
import type { ContextFiles } from './services/image/build-context';
import type { HostEnv } from './services/runtime/host-env';
import type { SecretCodec } from './services/secrets/secret-store';

/** What the composition root (app.ts) is given, and what it gives back. */

export interface AppOptions {
  mode: AppInfo['mode'];
  dataDir: string;
  host?: string;
  port?: number;
  /** The built renderer to serve at `/` (headless); null serves only the API. */
  rendererDir?: string | null;
  shell?: HostShell;
  hostEnv?: HostEnv;
  /** How secrets are protected at rest: the OS keychain in the desktop app, a 0600 file headless. */
  secretCodec?: SecretCodec;
  /** The agent image's build context; found next to the app by default. */
  imageContext?: ContextFiles;
  /** Credential proxy port instead of the configured one (AIGO_PROXY_PORT). */
  proxyPort?: number;
  /** Echo log lines to stderr too. */
  echoLogs?: boolean;
  runtimeTiming?: { healthIntervalMs?: number; retryMinMs?: number; retryMaxMs?: number };
  /** How long a closed session may finish its step before its container is stopped. */
  sessionCloseGraceMs?: number;
  /** Another tag for the agent image (AIGO_AGENT_IMAGE): a second install, the tests. */
  agentImage?: string;
  /** The chat platforms' API roots instead of the public ones (local test servers). */
  channelEndpoints?: ChannelEndpoints;
  /**
   * Called once the API listens, before the services start: `aigo serve` prints its link here.
   * A request sent from now on waits for the services it needs (see createApp).
   */
  onListening?: (api: { url: string; token: string }) => void;
  /** Aborted (Ctrl+C during the start-up): the start-up stops at its next step and unwinds. */
  abort?: AbortSignal;
}

export interface AppCore {
  readonly info: AppInfo;
  readonly bus: EventBus;
  readonly dispatch: Dispatch;
  readonly api: ApiServer;
  readonly token: string;
  readonly logger: Logger;
  readonly services: CoreServices;
  stop(): Promise<void>;
}
