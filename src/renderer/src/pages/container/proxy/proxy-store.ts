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
import { attempt, transport } from '../../../call';

interface ProxyState {
  view: ProxyView | null;
  busy: boolean;
  tests: Record<string, MappingTestResult | 'running'>;
  check: ProxyCheckResult | 'running' | null;
  checkFromContainer(): Promise<void>;
  load(): Promise<void>;
  setEnabled(enabled: boolean): Promise<void>;
  updateSettings(patch: z.input<typeof proxySettingsPatchSchema>): Promise<boolean>;
  createMapping(input: z.input<typeof createMappingSchema>): Promise<boolean>;
  updateMapping(input: z.input<typeof updateMappingSchema>): Promise<boolean>;
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
    const view = await attempt(() => transport().call('proxy.updateSettings', patch), {
      change: true,
    });
    if (view) set({ view });
    else await get().load();
    set({ busy: false });
    return view !== null;
  },
  async createMapping(input) {
    const created = await attempt(() => transport().call('proxy.createMapping', input), {
      change: true,
    });
    await get().load();
    return created !== null;
  },
  async updateMapping(input) {
    const updated = await attempt(() => transport().call('proxy.updateMapping', input), {
      change: true,
    });
    await get().load();
    return updated !== null;
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
