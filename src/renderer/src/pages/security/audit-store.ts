import { create } from 'zustand';
import type { AuditEntry, Severity } from '../../../../shared/schemas/audit';
import { attempt, transport } from '../../call';

export interface AuditFilter {
  severity: Severity | '';
  category: string;
  group: string;
}

const PAGE = 100;

interface AuditState {
  filter: AuditFilter;
  entries: AuditEntry[];
  more: boolean;
  loading: boolean;
  setFilter(filter: Partial<AuditFilter>): Promise<void>;
  load(): Promise<void>;
  loadOlder(): Promise<void>;
  /** A live entry: shown at once when it matches the filter. */
  push(entry: AuditEntry): void;
  exportAll(): Promise<AuditEntry[] | null>;
}

const query = (filter: AuditFilter) => ({
  ...(filter.severity ? { severity: filter.severity } : {}),
  ...(filter.category ? { category: filter.category } : {}),
  ...(filter.group.trim() ? { group: filter.group.trim() } : {}),
});

export function matches(entry: AuditEntry, filter: AuditFilter): boolean {
  return (
    (!filter.severity || entry.severity === filter.severity) &&
    (!filter.category || entry.category === filter.category) &&
    (!filter.group.trim() || entry.group === filter.group.trim())
  );
}

export const useAudit = create<AuditState>()((set, get) => ({
  filter: { severity: '', category: '', group: '' },
  entries: [],
  more: false,
  loading: false,
  async setFilter(partial) {
    set({ filter: { ...get().filter, ...partial } });
    await get().load();
  },
  async load() {
    set({ loading: true });
    const result = await attempt(() =>
      transport().call('audit.query', { ...query(get().filter), limit: PAGE }),
    );
    set({ loading: false, ...(result ? { entries: result.entries, more: result.truncated } : {}) });
  },
  async loadOlder() {
    const last = get().entries.at(-1);
    if (!last) return;
    set({ loading: true });
    const result = await attempt(() =>
      transport().call('audit.query', { ...query(get().filter), limit: PAGE, before: last.id }),
    );
    set((s) => ({
      loading: false,
      ...(result ? { entries: [...s.entries, ...result.entries], more: result.truncated } : {}),
    }));
  },
  push(entry) {
    if (!matches(entry, get().filter)) return;
    set((s) =>
      s.entries.some((e) => e.id === entry.id) ? {} : { entries: [entry, ...s.entries] },
    );
  },
  async exportAll() {
    const result = await attempt(() =>
      transport().call('audit.query', { ...query(get().filter), limit: 10_000 }),
    );
    return result?.entries ?? null;
  },
}));
