import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { operationNames } from '../../src/shared/contract';
import { IPC_INVOKE_CHANNEL } from '../../src/shared/ipc';
import { requireBuild, ROOT } from '../helpers/serve-process';

/**
 * Loads the built, sandbox-ready preload in a bare context with a stand-in `electron` module
 * (the only thing a sandboxed preload may require) and inspects what it exposes.
 */
describe('the built preload', () => {
  it('exposes only the contract operations and an event subscription, never ipcRenderer', async () => {
    requireBuild();
    const code = readFileSync(join(ROOT, 'out/preload/index.cjs'), 'utf8');
    const exposed: Record<string, unknown> = {};
    const invoked: unknown[][] = [];
    const ipcRenderer = {
      invoke: async (...args: unknown[]) => (invoked.push(args), { ok: true, data: 'pong' }),
      on: () => {},
      removeListener: () => {},
    };
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
      ipcRenderer,
    };
    const module = { exports: {} };
    const requireStub = (name: string) => {
      if (name === 'electron') return electron;
      throw new Error(`a sandboxed preload cannot require "${name}"`);
    };
    runInNewContext(code, { require: requireStub, module, exports: module.exports, console });

    expect(Object.keys(exposed)).toEqual(['aigo']);
    const api = exposed.aigo as {
      ops: Record<string, (input?: unknown) => Promise<unknown>>;
      onEvent: unknown;
    };
    expect(Object.keys(api).sort()).toEqual(['onEvent', 'ops']);
    expect(Object.keys(api.ops).sort()).toEqual([...operationNames].sort());
    const seen = new Set<unknown>();
    const walk = (v: unknown) => {
      if (v === ipcRenderer || v === ipcRenderer.invoke) throw new Error('ipcRenderer is exposed');
      if (v && typeof v === 'object' && !seen.has(v)) {
        seen.add(v);
        Object.values(v).forEach(walk);
      }
    };
    walk(api);
    await expect(api.ops['runtime.get']!({})).resolves.toEqual({ ok: true, data: 'pong' });
    expect(invoked[0]).toEqual([IPC_INVOKE_CHANNEL, 'runtime.get', {}]);
  });
});
