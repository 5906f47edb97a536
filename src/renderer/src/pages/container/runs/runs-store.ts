import { create } from 'zustand';
import type { AnyEvent } from '../../../../../shared/contract';
import type { RunRecord, RunStatus } from '../../../../../shared/schemas/sessions';
import { attempt, transport, tryCall, type ErrorInfo } from '../../../call';

export interface RunsFilter {
  /** A group's name (what runs record). */
  group: string;
  status: RunStatus | '';
  /** One session's runs (from its "container runs" link). */
  session: string;
}

const PAGE = 50;

interface RunsState {
  filter: RunsFilter;
  runs: RunRecord[];
  more: boolean;
  loading: boolean;
  selected: RunRecord | null;
  selectedError: ErrorInfo | null;
  setFilter(filter: Partial<RunsFilter>): Promise<void>;
  load(): Promise<void>;
  loadOlder(): Promise<void>;
  select(id: string | null): Promise<void>;
  push(run: RunRecord): void;
}

const query = (f: RunsFilter) => ({
  ...(f.group ? { group: f.group } : {}),
  ...(f.status ? { status: f.status } : {}),
  ...(f.session ? { session: f.session } : {}),
});

export const matches = (run: RunRecord, f: RunsFilter) =>
  (!f.group || run.group === f.group) &&
  (!f.status || run.status === f.status) &&
  (!f.session || run.session === f.session);

let loads = 0;

export const useRuns = create<RunsState>()((set, get) => ({
  filter: { group: '', status: '', session: '' },
  runs: [],
  more: false,
  loading: false,
  selected: null,
  selectedError: null,
  async setFilter(partial) {
    const next = { ...get().filter, ...partial };
    if (JSON.stringify(next) === JSON.stringify(get().filter)) return;
    set({ filter: next });
    await get().load();
  },
  async load() {
    const ticket = ++loads;
    set({ loading: true });
    const result = await attempt(() =>
      transport().call('runs.list', { ...query(get().filter), limit: PAGE }),
    );
    if (ticket !== loads) return;
    set({ loading: false, ...(result ? { runs: result.runs, more: result.truncated } : {}) });
  },
  async loadOlder() {
    const last = get().runs.at(-1);
    if (!last) return;
    const ticket = ++loads;
    set({ loading: true });
    const result = await attempt(() =>
      transport().call('runs.list', { ...query(get().filter), limit: PAGE, before: last.id }),
    );
    if (ticket !== loads) return;
    set((s) => ({
      loading: false,
      ...(result ? { runs: [...s.runs, ...result.runs], more: result.truncated } : {}),
    }));
  },
  async select(id) {
    if (!id) return set({ selected: null, selectedError: null });
    const known = get().runs.find((r) => r.id === id) ?? null;
    set({ selected: known, selectedError: null });
    const outcome = await tryCall(() => transport().call('runs.get', { id }));
    if (outcome.ok) set({ selected: outcome.value });
    else if (!known) set({ selectedError: outcome.error });
  },
  push(run) {
    if (!matches(run, get().filter)) return;
    set((s) => (s.runs.some((r) => r.id === run.id) ? {} : { runs: [run, ...s.runs] }));
  },
}));

export function onRunsEvent(event: AnyEvent): void {
  if (event.name === 'runs.appended') useRuns.getState().push(event.payload);
}
