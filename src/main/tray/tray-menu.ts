import type { ImageStatus } from '../../shared/schemas/image';
import type { RuntimeStatus } from '../../shared/schemas/runtime';
import { runtimeDisplayName } from '../../shared/schemas/runtime';
import type { Session } from '../../shared/schemas/sessions';

/** Tray actions; the Electron layer maps each to a click handler. */
export type TrayAction = 'open-settings' | 'recheck-runtime' | 'rebuild-image' | 'quit';

export type TrayMenuItem =
  | {
      type: 'normal';
      label: string;
      enabled: boolean;
      action?: TrayAction;
      /** Where the window should show after the action: a renderer route like `#/cowork/<id>`. */
      route?: string;
    }
  | { type: 'separator' };

/** What the tray needs of a session (`sessions.list` gives more). */
export type TraySession = Pick<Session, 'id' | 'groupName' | 'title' | 'state' | 'progress'>;

export interface TrayState {
  runtime: RuntimeStatus | null;
  warnings: number;
  image?: Pick<ImageStatus, 'state' | 'progress'> | null;
  /** Recent sessions: the active ones are listed, the queued ones counted. */
  sessions?: readonly TraySession[];
}

/** Sessions listed one by one; the rest are counted. */
export const TRAY_MAX_SESSIONS = 5;

const ACTIVE_STATES: readonly Session['state'][] = ['starting', 'running', 'idle', 'stopping'];

const STATE_TEXT: Partial<Record<Session['state'], string>> = {
  starting: 'starting…',
  idle: 'waiting for a follow-up',
  stopping: 'stopping…',
};

const shorten = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;

/** `main: Summarise the README — run_command` */
function sessionLabel(s: TraySession): string {
  const doing =
    s.state === 'running' ? (s.progress.activity ?? 'working') : (STATE_TEXT[s.state] ?? s.state);
  const title = shorten(s.title.replace(/\s+/g, ' ').trim(), 32);
  return `${s.groupName}${title ? `: ${title}` : ''} — ${shorten(doing, 40)}`;
}

function sessionItems(sessions: readonly TraySession[]): TrayMenuItem[] {
  const active = sessions.filter((s) => ACTIVE_STATES.includes(s.state));
  const queued = sessions.filter((s) => s.state === 'queued').length;
  if (active.length === 0 && queued === 0) return [];
  const items: TrayMenuItem[] = [{ type: 'separator' }];
  items.push({
    type: 'normal',
    label:
      active.length === 0
        ? 'No agent running'
        : `${active.length} agent${active.length === 1 ? '' : 's'} running`,
    enabled: false,
  });
  for (const s of active.slice(0, TRAY_MAX_SESSIONS))
    items.push({
      type: 'normal',
      label: sessionLabel(s),
      enabled: true,
      action: 'open-settings',
      route: `#/cowork/${s.id}`,
    });
  if (active.length > TRAY_MAX_SESSIONS)
    items.push({
      type: 'normal',
      label: `…and ${active.length - TRAY_MAX_SESSIONS} more`,
      enabled: true,
      action: 'open-settings',
      route: '#/cowork',
    });
  if (queued > 0)
    items.push({
      type: 'normal',
      label: `${queued} waiting in the queue`,
      enabled: true,
      action: 'open-settings',
      route: '#/cowork',
    });
  return items;
}

/** The tray menu as data: pure, so it is unit-tested without Electron. */
export function buildTrayMenu(state: TrayState): TrayMenuItem[] {
  const items: TrayMenuItem[] = [];
  const runtime = state.runtime;
  if (!runtime) {
    items.push({ type: 'normal', label: 'Runtime: detecting…', enabled: false });
  } else if (runtime.available) {
    items.push({
      type: 'normal',
      label: `Runtime: ${runtimeDisplayName(runtime)} ${runtime.version ?? ''}`.trim(),
      enabled: false,
    });
  } else {
    items.push({ type: 'normal', label: 'Runtime: Not available', enabled: false });
    items.push({
      type: 'normal',
      label: 'Fix the container runtime…',
      enabled: true,
      action: 'open-settings',
      route: '#/container/runtime',
    });
    items.push({
      type: 'normal',
      label: 'Re-check runtime',
      enabled: true,
      action: 'recheck-runtime',
    });
  }
  const image = state.image;
  if (image?.state === 'outdated')
    items.push({
      type: 'normal',
      label: 'Agent image outdated — Rebuild',
      enabled: true,
      action: 'rebuild-image',
    });
  if (image?.state === 'missing')
    items.push({
      type: 'normal',
      label: 'Agent image not built — Build',
      enabled: true,
      action: 'rebuild-image',
    });
  if (image?.state === 'failed')
    items.push({
      type: 'normal',
      label: 'Agent image build failed — open Settings',
      enabled: true,
      action: 'open-settings',
      route: '#/container/image',
    });
  if (image?.state === 'building')
    items.push({
      type: 'normal',
      label: `Building agent image… ${image.progress?.percent ?? 0}%`,
      enabled: false,
    });
  if (state.warnings > 0) {
    items.push({
      type: 'normal',
      label: `${state.warnings} warning${state.warnings === 1 ? '' : 's'} — open Settings`,
      enabled: true,
      action: 'open-settings',
      route: '#/health',
    });
  }
  items.push(...sessionItems(state.sessions ?? []));
  items.push({ type: 'separator' });
  items.push({
    type: 'normal',
    label: 'New task…',
    enabled: true,
    action: 'open-settings',
    route: '#/cowork',
  });
  items.push({
    type: 'normal',
    label: 'Open Settings',
    enabled: true,
    action: 'open-settings',
    route: '#/container',
  });
  items.push({ type: 'normal', label: 'Quit aigo', enabled: true, action: 'quit' });
  return items;
}

export function trayTooltip(
  runtime: RuntimeStatus | null,
  sessions: readonly TraySession[] = [],
): string {
  const running = sessions.filter((s) => ACTIVE_STATES.includes(s.state)).length;
  const agents = running > 0 ? ` · ${running} agent${running === 1 ? '' : 's'} running` : '';
  return runtime ? `aigo — ${runtimeDisplayName(runtime)}${agents}` : `aigo${agents}`;
}
