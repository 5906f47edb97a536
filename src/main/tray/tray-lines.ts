import type { ImageStatus } from '../../shared/schemas/image';
import type { ProxyStatus } from '../../shared/schemas/proxy';
import type { RuntimeStatus } from '../../shared/schemas/runtime';
import { runtimeDisplayName } from '../../shared/schemas/runtime';
import type { Session } from '../../shared/schemas/sessions';

/**
 * The tray's status lines, one per part of aigo, each with how well it is (the icon shows the
 * worst) and the settings page that fixes it. Pure: unit-tested without Electron.
 */
export type TrayLevel = 'ok' | 'warning' | 'problem';

/** Tray actions; the Electron layer maps each to a click handler. */
export type TrayAction = 'open' | 'recheck-runtime' | 'rebuild-image' | 'toggle-pause' | 'quit';

export interface TrayLine {
  label: string;
  level: TrayLevel;
  /** The renderer route the line opens (`#/container/runtime`). */
  route: string;
  /** Instead of opening the route: a fix the tray can do itself. */
  action?: TrayAction;
  /** Said in the tooltip when this line is the worst. */
  summary: string;
}

export type TraySession = Pick<Session, 'id' | 'groupName' | 'title' | 'state' | 'progress'>;

/** A chat channel, once channels exist: its state as the channel core reports it. */
export interface TrayChannel {
  name: string;
  state: 'connected' | 'connecting' | 'disconnected' | 'error';
  detail?: string;
  route: string;
}

export interface TrayState {
  runtime: RuntimeStatus | null;
  image: Pick<ImageStatus, 'state' | 'progress'> | null;
  proxy: Pick<ProxyStatus, 'enabled' | 'running' | 'lastError' | 'mappingCount'> | null;
  channels?: readonly TrayChannel[];
  /** Recent sessions: the active ones are listed, the queued ones counted. */
  sessions: readonly TraySession[];
  nextSchedule: { name: string; at: string } | null;
  warnings: number;
  /** "Pause all agents" is on. */
  paused: boolean;
  /** For "in 2 h": the time the menu is made. */
  now: number;
}

export const ACTIVE_STATES: readonly Session['state'][] = [
  'starting',
  'running',
  'idle',
  'stopping',
];

const shorten = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;

export function runtimeLine(runtime: RuntimeStatus | null): TrayLine {
  const route = '#/container/runtime';
  if (!runtime)
    return { label: 'Runtime: detecting…', level: 'ok', route, summary: 'detecting the runtime' };
  if (runtime.available) {
    const name = `${runtimeDisplayName(runtime)} ${runtime.version ?? ''}`.trim();
    return { label: `Runtime: ${name}`, level: 'ok', route, summary: `${name} running` };
  }
  return {
    label: 'Runtime: not available — fix…',
    level: 'problem',
    route,
    summary: 'no container runtime',
  };
}

export function imageLine(image: TrayState['image']): TrayLine {
  const route = '#/container/image';
  const line = (label: string, level: TrayLevel, summary: string, action?: TrayAction) => ({
    label: `Agent image: ${label}`,
    level,
    route,
    summary,
    ...(action ? { action } : {}),
  });
  switch (image?.state) {
    case 'ready':
    case 'cancelled':
      return line('ready', 'ok', 'agent image ready');
    case 'building':
      return line(`building… ${image.progress?.percent ?? 0}%`, 'ok', 'building the agent image');
    case 'outdated':
      return line('outdated — Rebuild', 'warning', 'agent image outdated', 'rebuild-image');
    case 'missing':
      return line('not built — Build', 'problem', 'agent image not built', 'rebuild-image');
    case 'failed':
      return line('build failed — open…', 'problem', 'agent image build failed');
    default:
      // No runtime to ask: the runtime line already says what is wrong.
      return line('unknown', 'ok', 'agent image unknown');
  }
}

export function proxyLine(proxy: TrayState['proxy']): TrayLine {
  const route = '#/container/proxy';
  if (!proxy) return { label: 'Credential proxy: …', level: 'ok', route, summary: 'proxy' };
  if (!proxy.enabled)
    return {
      label: 'Credential proxy: off',
      level: 'warning',
      route,
      summary: 'credential proxy off: agents have no API',
    };
  if (!proxy.running)
    return {
      label: `Credential proxy: not running${proxy.lastError ? ` — ${shorten(proxy.lastError, 40)}` : ''}`,
      level: 'problem',
      route,
      summary: 'credential proxy not running',
    };
  if (proxy.mappingCount === 0)
    return {
      label: 'Credential proxy: on, no API key yet — add…',
      level: 'warning',
      route,
      summary: 'no API key mapped',
    };
  const mappings = `${proxy.mappingCount} mapping${proxy.mappingCount === 1 ? '' : 's'}`;
  return { label: `Credential proxy: on, ${mappings}`, level: 'ok', route, summary: 'proxy on' };
}

export function channelLines(channels: readonly TrayChannel[] = []): TrayLine[] {
  const levels: Record<TrayChannel['state'], TrayLevel> = {
    connected: 'ok',
    connecting: 'ok',
    disconnected: 'warning',
    error: 'problem',
  };
  return channels.map((c) => ({
    label: `${c.name}: ${c.state}${c.detail ? ` — ${shorten(c.detail, 40)}` : ''}`,
    level: levels[c.state],
    route: c.route,
    summary: `${c.name} ${c.state}`,
  }));
}

export function agentsLine(state: TrayState): TrayLine {
  const active = state.sessions.filter((s) => ACTIVE_STATES.includes(s.state)).length;
  const queued = state.sessions.filter((s) => s.state === 'queued').length;
  const waiting = queued > 0 ? `, ${queued} waiting` : '';
  if (state.paused)
    return {
      label: `Agents: paused${active > 0 ? `, ${active} stopping` : ''}${waiting}`,
      level: 'warning',
      route: '#/cowork',
      summary: 'agents paused',
    };
  const running = active === 0 ? 'none running' : `${active} running`;
  return {
    label: `Agents: ${running}${waiting}`,
    level: 'ok',
    route: '#/cowork',
    summary:
      active === 0 ? 'no agent running' : `${active} agent${active === 1 ? '' : 's'} running`,
  };
}

export function scheduleLine(state: TrayState): TrayLine {
  const route = '#/container/schedules';
  const next = state.nextSchedule;
  if (!next) return { label: 'Next schedule: none', level: 'ok', route, summary: 'no schedule' };
  const when = relative(Date.parse(next.at) - state.now);
  const held = state.paused ? ' (held: agents paused)' : '';
  return {
    label: `Next schedule: ${shorten(next.name, 30)} ${when}${held}`,
    level: 'ok',
    route,
    summary: `next schedule ${when}`,
  };
}

/** "now", "in 5 min", "in 3 h", "in 2 d". */
export function relative(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'now';
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `in ${hours} h`;
  return `in ${Math.round(hours / 24)} d`;
}

export function warningsLine(count: number): TrayLine | null {
  if (count === 0) return null;
  return {
    label: `${count} warning${count === 1 ? '' : 's'} — open Health`,
    level: 'warning',
    route: '#/health',
    summary: `${count} warning${count === 1 ? '' : 's'}`,
  };
}

const STATE_TEXT: Partial<Record<Session['state'], string>> = {
  starting: 'starting…',
  idle: 'waiting for a follow-up',
  stopping: 'stopping…',
};

/** `main: Summarise the README — run_command` */
export function sessionLabel(s: TraySession): string {
  const doing =
    s.state === 'running' ? (s.progress.activity ?? 'working') : (STATE_TEXT[s.state] ?? s.state);
  const title = shorten(s.title.replace(/\s+/g, ' ').trim(), 32);
  return `${s.groupName}${title ? `: ${title}` : ''} — ${shorten(doing, 40)}`;
}
