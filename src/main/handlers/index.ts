import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Handlers } from '../dispatch';
import type {
  ContainerAuditOperationName,
  ScheduleOperationName,
  ChannelOperationName,
  SessionOperationName,
  SquadOperationName,
} from '../../shared/contract';
import type { AppInfo } from '../../shared/schemas/app';
import { AppError } from '../../shared/errors';
import type { AuditLog } from '../services/audit/audit-log';
import type { ChannelService } from '../services/channels/channel-service';
import type { WarningCenter } from '../services/app/warnings';
import type { HostShell } from '../services/app/host-shell';
import { diagnose } from '../services/app/diagnostics';
import { findIpcProblems } from '../services/sessions/ipc-problems';
import { readLastLogEntries } from '../services/logging/log-reader';
import type { ImageService } from '../services/image/image-service';
import type { MountSecurityService } from '../services/mounts/mount-security-service';
import type { CredentialProxyService } from '../services/proxy/credential-proxy-service';
import { rootlessDiagnostic } from '../services/runtime/rootless-uids';
import type { RuntimeService } from '../services/runtime/runtime-service';
import type { SettingsService } from '../services/settings/settings-service';
import type { GroupsService } from '../services/groups/groups-service';
import type { SquadService } from '../services/squads/squad-service';
import type { RunHistory } from '../services/sessions/run-history';
import type { SessionService } from '../services/sessions/session-service';
import type { SchedulerService } from '../services/scheduler/scheduler-service';
import type { Diagnostic } from '../../shared/schemas/diagnostics';

/** The core's services, as the composition root hands them out. */
export interface CoreServices {
  settings: SettingsService;
  audit: AuditLog;
  runtime: RuntimeService;
  mounts: MountSecurityService;
  proxy: CredentialProxyService;
  image: ImageService;
  warnings: WarningCenter;
  groups: GroupsService;
  sessions: SessionService;
  runs: RunHistory;
  scheduler?: SchedulerService;
  channels?: ChannelService;
  squads?: SquadService;
}

export interface HandlerDeps extends CoreServices {
  /** Problems other domains find for Health (the scheduler's). */
  extraDiagnostics?: () => Promise<Diagnostic[]>;
  info: () => AppInfo;
  logLevel: () => string;
  shell: HostShell;
}

/** Binds each contract operation to the service that does the work. Thin on purpose. */
const readSubuid = () => readFile('/etc/subuid', 'utf8');
const currentUser = () => {
  const info = userInfo();
  return { name: info.username, uid: info.uid };
};

export function createHandlers(
  deps: HandlerDeps,
): Omit<
  Handlers,
  | SessionOperationName
  | ScheduleOperationName
  | ContainerAuditOperationName
  | ChannelOperationName
  | SquadOperationName
> {
  return {
    'app.info': () => deps.info(),
    'app.status': () => {
      const runtime = deps.runtime.status();
      return {
        app: deps.info(),
        runtime,
        services: [
          { name: 'api', state: 'running' },
          { name: 'settings', state: 'running' },
          { name: 'audit', state: 'running' },
          {
            name: 'runtime',
            state: runtime.available ? 'running' : 'degraded',
            detail: runtime.message,
          },
          proxyState(deps.proxy),
          imageState(deps.image),
        ],
        logLevel: deps.logLevel(),
        warnings: deps.warnings.list(),
      };
    },
    'app.diagnostics': async () =>
      diagnose({
        runtime: deps.runtime.status(),
        image: deps.image.status(),
        proxy: deps.proxy.view(),
        mounts: await deps.mounts.view(),
        warnings: deps.warnings.list(),
        ipc: await findIpcProblems(deps.sessions.folders()),
        extra: [
          ...[await rootlessDiagnostic(deps.runtime.status(), readSubuid, currentUser())].filter(
            (d) => d !== null,
          ),
          ...((await deps.extraDiagnostics?.()) ?? []),
        ],
      }),
    'app.dismissWarning': ({ id }) => {
      if (!deps.warnings.dismiss(id))
        throw new AppError('NOT_FOUND', `No warning with id "${id}".`);
      return { warnings: deps.warnings.list() };
    },
    'app.openDataDir': async () => {
      await deps.shell.openPath(deps.info().dataDir);
      return { ok: true as const };
    },
    'app.pickFolder': async () => ({ path: await deps.shell.pickFolder() }),
    'mounts.getPolicy': () => deps.mounts.view(),
    'mounts.updatePolicy': (input) => deps.mounts.update(input),
    'mounts.validate': (request) => deps.mounts.validate(request, 'user'),
    'proxy.status': () => deps.proxy.status(),
    'proxy.get': () => deps.proxy.view(),
    'proxy.updateSettings': (patch) => deps.proxy.updateSettings(patch),
    'proxy.start': () => deps.proxy.setEnabled(true),
    'proxy.stop': () => deps.proxy.setEnabled(false),
    'proxy.createMapping': (input) => deps.proxy.createMapping(input),
    'proxy.updateMapping': (input) => deps.proxy.updateMapping(input),
    'proxy.deleteMapping': async ({ id }) => {
      await deps.proxy.deleteMapping(id);
      return { ok: true as const };
    },
    'proxy.testMapping': ({ id }) => deps.proxy.testMapping(id),
    'proxy.checkFromContainer': () => deps.proxy.checkFromContainer(deps.image.status().image),
    'image.status': () => deps.image.refresh(),
    'image.build': (overrides) => deps.image.startBuild(overrides),
    'image.cancel': () => deps.image.cancel(),
    'runtime.get': () => deps.runtime.status(),
    'runtime.recheck': () => deps.runtime.recheck('requested by the user'),
    'settings.get': () => deps.settings.get(),
    'settings.update': (patch) => deps.settings.update(patch),
    'audit.query': (query) => deps.audit.query(query),
    'logs.tail': async ({ last }) => ({
      entries: await readLastLogEntries(deps.info().logDir, last),
    }),
  };
}

function proxyState(proxy: CredentialProxyService): {
  name: string;
  state: 'running' | 'stopped' | 'degraded';
  detail: string;
} {
  const s = proxy.status();
  if (s.running)
    return {
      name: 'proxy',
      state: 'running',
      detail: `${s.bindAddress}:${s.port}, ${s.mappingCount} mapping(s)`,
    };
  return {
    name: 'proxy',
    state: s.enabled ? 'degraded' : 'stopped',
    detail: s.lastError ?? (s.enabled ? 'not running' : 'turned off'),
  };
}

function imageState(image: ImageService): {
  name: string;
  state: 'running' | 'stopped' | 'degraded';
  detail: string;
} {
  const s = image.status();
  const detail =
    s.state === 'building'
      ? `building ${s.progress?.percent ?? 0}%`
      : `${s.image} ${s.state}${s.hint ? ` — ${s.hint}` : ''}`;
  return {
    name: 'image',
    state: s.state === 'ready' || s.state === 'building' ? 'running' : 'degraded',
    detail,
  };
}
