import { create } from 'zustand';
import type { z } from 'zod';
import type {
  createMappingSchema,
  MappingTestResult,
  ProxyView,
  proxySettingsPatchSchema,
  updateMappingSchema,
} from '../../../../../shared/schemas/proxy';
import { useApp } from '../../../store';

interface ProxyState {
  view: ProxyView | null;
  busy: boolean;
  tests: Record<string, MappingTestResult | 'running'>;
  load(): Promise<void>;
  setEnabled(enabled: boolean): Promise<void>;
  updateSettings(patch: z.input<typeof proxySettingsPatchSchema>): Promise<boolean>;
  createMapping(input: z.input<typeof createMappingSchema>): Promise<boolean>;
  updateMapping(input: z.input<typeof updateMappingSchema>): Promise<boolean>;
  deleteMapping(id: string): Promise<void>;
  test(id: string): Promise<void>;
}

/** Runs a call with the app's transport; failures become the app's notice, never a crash. */
async function attempt<T>(work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    useApp.setState({
      notice: { kind: 'error', text: error instanceof Error ? error.message : String(error) },
    });
    return null;
  }
}

const call = () => {
  const transport = useApp.getState().transport;
  if (!transport) throw new Error('Not connected to aigo yet.');
  return transport;
};

export const useProxy = create<ProxyState>()((set, get) => ({
  view: null,
  busy: false,
  tests: {},
  async load() {
    const view = await attempt(() => call().call('proxy.get'));
    if (view) set({ view });
  },
  async setEnabled(enabled) {
    set({ busy: true });
    await attempt(() => call().call(enabled ? 'proxy.start' : 'proxy.stop'));
    await get().load();
    set({ busy: false });
  },
  async updateSettings(patch) {
    set({ busy: true });
    const view = await attempt(() => call().call('proxy.updateSettings', patch));
    if (view) set({ view });
    else await get().load();
    set({ busy: false });
    return view !== null;
  },
  async createMapping(input) {
    const created = await attempt(() => call().call('proxy.createMapping', input));
    await get().load();
    return created !== null;
  },
  async updateMapping(input) {
    const updated = await attempt(() => call().call('proxy.updateMapping', input));
    await get().load();
    return updated !== null;
  },
  async deleteMapping(id) {
    await attempt(() => call().call('proxy.deleteMapping', { id }));
    await get().load();
  },
  async test(id) {
    set((s) => ({ tests: { ...s.tests, [id]: 'running' } }));
    const result = await attempt(() => call().call('proxy.testMapping', { id }));
    set((s) => {
      const tests = { ...s.tests };
      if (result) tests[id] = result;
      else delete tests[id];
      return { tests };
    });
  },
}));
