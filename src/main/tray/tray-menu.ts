import {
  ACTIVE_STATES,
  agentsLine,
  channelLines,
  imageLine,
  proxyLine,
  runtimeLine,
  scheduleLine,
  sessionLabel,
  warningsLine,
  type TrayAction,
  type TrayLevel,
  type TrayLine,
  type TrayState,
} from './tray-lines';

export type { TrayAction, TrayLevel, TrayState } from './tray-lines';
export type { TrayChannel, TraySession } from './tray-lines';

export type TrayMenuItem =
  | {
      type: 'normal';
      label: string;
      enabled: boolean;
      action?: TrayAction;
      /** Where the window should show: a renderer route like `#/cowork/<id>`. */
      route?: string;
    }
  | { type: 'separator' };

/** Sessions listed one by one under the Agents line; the rest are counted. */
export const TRAY_MAX_SESSIONS = 5;

/** Windows cuts tray tooltips at 127 characters. */
const TOOLTIP_MAX = 127;

/** Every status line, in menu order: runtime, image, proxy, channels, agents, next schedule. */
export function trayLines(state: TrayState): TrayLine[] {
  const warnings = warningsLine(state.warnings);
  return [
    runtimeLine(state.runtime),
    imageLine(state.image),
    proxyLine(state.proxy),
    ...channelLines(state.channels),
    agentsLine(state),
    scheduleLine(state),
    ...(warnings ? [warnings] : []),
  ];
}

const RANK: Record<TrayLevel, number> = { ok: 0, warning: 1, problem: 2 };

/** The icon's state: the worst line's. */
export function trayLevel(state: TrayState): TrayLevel {
  return trayLines(state).reduce<TrayLevel>(
    (worst, line) => (RANK[line.level] > RANK[worst] ? line.level : worst),
    'ok',
  );
}

/** "aigo — no container runtime (+1 more)" or "aigo — all good · 2 agents running". */
export function trayTooltip(state: TrayState): string {
  const lines = trayLines(state);
  const bad = lines.filter((l) => l.level !== 'ok').sort((a, b) => RANK[b.level] - RANK[a.level]);
  const agents = agentsLine(state).summary;
  const text = bad[0]
    ? `aigo — ${bad[0].summary}${bad.length > 1 ? ` (+${bad.length - 1} more)` : ''}`
    : `aigo — all good · ${agents}`;
  return text.length > TOOLTIP_MAX ? `${text.slice(0, TOOLTIP_MAX - 1)}…` : text;
}

function sessionItems(state: TrayState): TrayMenuItem[] {
  const active = state.sessions.filter((s) => ACTIVE_STATES.includes(s.state));
  const items: TrayMenuItem[] = active.slice(0, TRAY_MAX_SESSIONS).map((s) => ({
    type: 'normal',
    label: `    ${sessionLabel(s)}`,
    enabled: true,
    action: 'open',
    route: `#/cowork/${s.id}`,
  }));
  if (active.length > TRAY_MAX_SESSIONS)
    items.push({
      type: 'normal',
      label: `    …and ${active.length - TRAY_MAX_SESSIONS} more`,
      enabled: true,
      action: 'open',
      route: '#/cowork',
    });
  return items;
}

/** The tray menu as data: pure, so it is unit-tested without Electron. */
export function buildTrayMenu(state: TrayState): TrayMenuItem[] {
  const items: TrayMenuItem[] = [];
  for (const line of trayLines(state)) {
    items.push({
      type: 'normal',
      label: line.label,
      enabled: true,
      action: line.action ?? 'open',
      route: line.route,
    });
    if (line.route === '#/container/runtime' && line.level === 'problem')
      items.push({
        type: 'normal',
        label: 'Re-check runtime',
        enabled: true,
        action: 'recheck-runtime',
      });
    if (line.route === '#/cowork') items.push(...sessionItems(state));
  }
  items.push({ type: 'separator' });
  items.push({ type: 'normal', label: 'Open aigo', enabled: true, action: 'open' });
  items.push({
    type: 'normal',
    label: 'New task…',
    enabled: true,
    action: 'open',
    route: '#/cowork',
  });
  items.push({
    type: 'normal',
    label: state.paused ? 'Resume agents' : 'Pause all agents',
    enabled: true,
    action: 'toggle-pause',
  });
  items.push({ type: 'separator' });
  items.push({ type: 'normal', label: 'Quit aigo', enabled: true, action: 'quit' });
  return items;
}
