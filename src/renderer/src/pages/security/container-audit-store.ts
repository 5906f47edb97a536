import { create } from 'zustand';
import type { AnyEvent } from '../../../../shared/contract';
import type { ContainerAudit } from '../../../../shared/schemas/container-audit';
import { attempt, transport } from '../../call';
import { useAudit } from './audit-store';

interface ContainerAuditState {
  audit: ContainerAudit | null;
  /** "Run audit now" is under way. */
  running: boolean;
  load(): Promise<void>;
  run(): Promise<void>;
  /** An answer or a pushed result: kept unless an audit already shown is newer. */
  receive(audit: ContainerAudit): void;
}

const newer = (next: ContainerAudit, current: ContainerAudit | null) =>
  !current || (next.lastRunAt ?? '') >= (current.lastRunAt ?? '');

export const useContainerAudit = create<ContainerAuditState>()((set, get) => ({
  audit: null,
  running: false,
  async load() {
    const audit = await attempt(() => transport().call('securityAudit.get'));
    if (audit) get().receive(audit);
  },
  async run() {
    set({ running: true });
    const audit = await attempt(() => transport().call('securityAudit.run', {}), { change: true });
    if (audit) get().receive(audit);
    set({ running: false });
    // The next run is planned once a run has finished, after its answer was made: ask again.
    if (audit) await get().load();
  },
  receive(audit) {
    if (newer(audit, get().audit)) set({ audit });
  },
}));

export function onContainerAuditEvent(event: AnyEvent): void {
  if (event.name !== 'securityAudit.changed') return;
  const state = useContainerAudit.getState();
  state.receive(event.payload);
  // As with a run's answer, the event is sent before the next run is planned.
  void state.load();
}

/**
 * When the next audit runs: the planned time, or — when that is missing or not after the last
 * run (an answer made before the next one was planned) — the last run plus the interval.
 */
export function nextRunOf(audit: ContainerAudit, intervalMinutes: number | null): string | null {
  if (audit.nextRunAt && (!audit.lastRunAt || audit.nextRunAt > audit.lastRunAt))
    return audit.nextRunAt;
  if (audit.lastRunAt && intervalMinutes)
    return new Date(Date.parse(audit.lastRunAt) + intervalMinutes * 60_000).toISOString();
  return null;
}

/** Filters the audit log below to the audit's entries and brings it into view. */
export function showAuditEntries(): void {
  void useAudit.getState().setFilter({ category: 'security-audit', severity: '', group: '' });
  document
    .querySelector('[data-testid="audit-log"]')
    ?.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
}
