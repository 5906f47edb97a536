import { CHANNEL_TITLE } from '../../shared/schemas/channels';
import type { AppCore } from '../app';
import type { EventName } from '../../shared/contract/events';
import type { TrayState } from './tray-lines';

/** The events after which the tray is made again. */
export const TRAY_EVENTS: readonly EventName[] = [
  'runtime.changed',
  'app.warningsChanged',
  'image.changed',
  'proxy.changed',
  'session.updated',
  'schedules.changed',
  'settings.changed',
  'channel.updated',
];

/** What the tray shows, read from the running core (no Electron here: tested with a real core). */
export function collectTrayState(core: AppCore, now = Date.now()): TrayState {
  const s = core.services;
  const proxy = s.proxy.status();
  const next = (s.scheduler?.list() ?? [])
    .filter((schedule) => schedule.enabled && schedule.nextRun)
    .sort((a, b) => Date.parse(a.nextRun!) - Date.parse(b.nextRun!))[0];
  return {
    runtime: s.runtime.status(),
    image: s.image.status(),
    proxy,
    sessions: s.sessions.list({ limit: 50 }),
    nextSchedule: next ? { name: next.name, at: next.nextRun! } : null,
    warnings: s.warnings.list().length,
    paused: s.settings.get().sessions.paused,
    channels: (s.channels?.list() ?? [])
      .filter((c) => c.enabled)
      .map((c) => ({
        name: CHANNEL_TITLE[c.name],
        state:
          c.state === 'connected'
            ? ('connected' as const)
            : c.state === 'failed'
              ? ('error' as const)
              : c.state === 'connecting'
                ? ('connecting' as const)
                : ('disconnected' as const),
        ...(c.lastError && c.state !== 'connected' ? { detail: c.lastError } : {}),
        route: `#/channels/${c.name}`,
      })),
    now,
  };
}
