import { create } from 'zustand';
import type { AnyEvent } from '../../../../../shared/contract';
import type {
  CreateSchedule,
  Schedule,
  ScheduleRunLog,
  ScheduleSpec,
  UpdateSchedule,
} from '../../../../../shared/schemas/schedules';
import { attempt, transport, tryCall, type ErrorInfo, type Outcome } from '../../../call';

const LOG_LIMIT = 50;

interface SchedulesState {
  /** By name; null until loaded. */
  schedules: Schedule[] | null;
  /** Each timing in words ("At 09:00, Monday through Friday"), by `specKey`. */
  descriptions: Record<string, string>;
  /** The schedule whose run log is open, its log (newest first) and why it could not load. */
  logsFor: string | null;
  logs: ScheduleRunLog[] | null;
  logsError: ErrorInfo | null;
  logsLoading: boolean;
  load(): Promise<void>;
  create(input: CreateSchedule): Promise<Outcome<Schedule>>;
  update(input: UpdateSchedule): Promise<Outcome<Schedule>>;
  remove(id: string): Promise<Outcome<unknown>>;
  setEnabled(id: string, enabled: boolean): Promise<Outcome<Schedule>>;
  run(id: string): Promise<Outcome<ScheduleRunLog>>;
  showLogs(id: string | null): Promise<void>;
  loadLogs(): Promise<void>;
  adopt(schedules: Schedule[]): void;
}

export const specKey = (spec: ScheduleSpec, timezone: string | null) =>
  JSON.stringify([spec.type, spec.value, timezone]);

const byName = (schedules: Schedule[]) =>
  [...schedules].sort((a, b) => a.name.localeCompare(b.name));

/** Timings being described right now, so each is asked for once. */
const describing = new Set<string>();
let logLoads = 0;

/** Schedules and the open run log, for Settings > Container > Schedules. */
export const useSchedules = create<SchedulesState>()((set, get) => {
  /** Words for every timing not described yet (the core says it the same way everywhere). */
  const describe = (schedules: Schedule[]) => {
    for (const s of schedules) {
      const key = specKey(s.schedule, s.timezone);
      if (key in get().descriptions || describing.has(key)) continue;
      describing.add(key);
      void tryCall(() =>
        transport().call('schedules.preview', { schedule: s.schedule, timezone: s.timezone }),
      ).then((outcome) => {
        describing.delete(key);
        const text = !outcome.ok
          ? ''
          : outcome.value.valid
            ? outcome.value.description
            : `Never fires: ${outcome.value.error ?? 'invalid schedule'}`;
        set((st) => ({ descriptions: { ...st.descriptions, [key]: text } }));
      });
    }
  };

  /** One schedule the core answered with, into the list (events bring the rest). */
  const merge = (schedule: Schedule) =>
    get().adopt(
      (get().schedules ?? []).some((s) => s.id === schedule.id)
        ? (get().schedules ?? []).map((s) => (s.id === schedule.id ? schedule : s))
        : [...(get().schedules ?? []), schedule],
    );

  return {
    schedules: null,
    descriptions: {},
    logsFor: null,
    logs: null,
    logsError: null,
    logsLoading: false,
    adopt(schedules) {
      set({ schedules: byName(schedules) });
      describe(schedules);
    },
    async load() {
      const result = await attempt(() => transport().call('schedules.list'));
      if (result) get().adopt(result.schedules);
      await get().loadLogs();
    },
    async create(input) {
      const outcome = await tryCall(() => transport().call('schedules.create', input));
      if (outcome.ok) merge(outcome.value);
      return outcome;
    },
    async update(input) {
      const outcome = await tryCall(() => transport().call('schedules.update', input));
      if (outcome.ok) merge(outcome.value);
      return outcome;
    },
    async remove(id) {
      const outcome = await tryCall(() => transport().call('schedules.delete', { id }));
      if (outcome.ok) get().adopt((get().schedules ?? []).filter((s) => s.id !== id));
      return outcome;
    },
    async setEnabled(id, enabled) {
      const outcome = await tryCall(() =>
        transport().call(enabled ? 'schedules.resume' : 'schedules.pause', { id }),
      );
      if (outcome.ok) merge(outcome.value);
      return outcome;
    },
    async run(id) {
      const outcome = await tryCall(() => transport().call('schedules.run', { id }));
      if (outcome.ok && get().logsFor === id) await get().loadLogs();
      return outcome;
    },
    async showLogs(id) {
      if (id === get().logsFor) return;
      set({ logsFor: id, logs: null, logsError: null });
      await get().loadLogs();
    },
    async loadLogs() {
      const id = get().logsFor;
      if (!id) return;
      const ticket = ++logLoads;
      set({ logsLoading: true });
      const outcome = await tryCall(() =>
        transport().call('schedules.logs', { id, limit: LOG_LIMIT }),
      );
      // A newer load (another event, another schedule) answers for itself.
      if (ticket !== logLoads || get().logsFor !== id) return;
      set(
        outcome.ok
          ? { logs: outcome.value.logs, logsError: null, logsLoading: false }
          : { logsError: outcome.error, logsLoading: false },
      );
    },
  };
});

export function onSchedulesEvent(event: AnyEvent): void {
  if (event.name !== 'schedules.changed') return;
  const state = useSchedules.getState();
  state.adopt(event.payload.schedules);
  // A run started, ended or was skipped: the open log has a new line (or a finished one).
  void state.loadLogs();
}
