import { create } from 'zustand';
import type { z } from 'zod';
import type {
  createMappingSchema,
  MappingTestResult,
  ProxyCheckResult,
  ProxyView,
  proxySettingsPatchSchema,
  updateMappingSchema,
} from '../../../../../shared/schemas/proxy';
import { attempt, clearError, transport, tryCall, type ErrorInfo } from '../../../call';

interface ProxyState {
  view: ProxyView | null;
  busy: boolean;
  tests: Record<string, MappingTestResult | 'running'>;
  check: ProxyCheckResult | 'running' | null;
  checkFromContainer(): Promise<void>;
  load(): Promise<void>;
  setEnabled(enabled: boolean): Promise<void>;
  /** Each of these answers the core's refusal (null: saved), for the form to show. */
  updateSettings(patch: z.input<typeof proxySettingsPatchSchema>): Promise<ErrorInfo | null>;
  createMapping(input: z.input<typeof createMappingSchema>): Promise<ErrorInfo | null>;
  updateMapping(input: z.input<typeof updateMappingSchema>): Promise<ErrorInfo | null>;
  deleteMapping(id: string): Promise<void>;
  test(id: string): Promise<void>;
}

export const useProxy = create<ProxyState>()((set, get) => ({
  view: null,
  busy: false,
  tests: {},
  check: null,
  async checkFromContainer() {
    set({ check: 'running' });
    set({ check: await attempt(() => transport().call('proxy.checkFromContainer')) });
  },
  async load() {
    const view = await attempt(() => transport().call('proxy.get'));
    if (view) set({ view });
  },
  async setEnabled(enabled) {
    set({ busy: true });
    await attempt(() => transport().call(enabled ? 'proxy.start' : 'proxy.stop'), { change: true });
    await get().load();
    set({ busy: false });
  },
  async updateSettings(patch) {
    set({ busy: true });
    const outcome = await tryCall(() => transport().call('proxy.updateSettings', patch));
    if (outcome.ok) {
      clearError();
      set({ view: outcome.value });
    } else await get().load();
    set({ busy: false });
    return outcome.ok ? null : outcome.error;
  },
  async createMapping(input) {
    const outcome = await tryCall(() => transport().call('proxy.createMapping', input));
    if (outcome.ok) clearError();
    await get().load();
    return outcome.ok ? null : outcome.error;
  },
  async updateMapping(input) {
    const outcome = await tryCall(() => transport().call('proxy.updateMapping', input));
    if (outcome.ok) clearError();
    await get().load();
    return outcome.ok ? null : outcome.error;
  },
  async deleteMapping(id) {
    await attempt(() => transport().call('proxy.deleteMapping', { id }), { change: true });
    await get().load();
  },
  async test(id) {
    set((s) => ({ tests: { ...s.tests, [id]: 'running' } }));
    const result = await attempt(() => transport().call('proxy.testMapping', { id }));
    set((s) => {
      const tests = { ...s.tests };
      if (result) tests[id] = result;
      else delete tests[id];
      return { tests };
    });
  },
}));
