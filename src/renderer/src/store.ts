import { create } from 'zustand';
import type { AnyEvent } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { AppInfo, AppWarning } from '../../shared/schemas/app';
import type { RuntimeStatus } from '../../shared/schemas/runtime';
import type { Settings, SettingsPatch } from '../../shared/schemas/settings';
import type { ConnectionState, Transport } from './bridge';

export type Page =
  'cowork' | 'squads' | 'container' | 'channels' | 'security' | 'health' | 'advanced';

export interface Notice {
  kind: 'error' | 'success';
  text: string;
}

interface AppState {
  transport: Transport | null;
  connection: ConnectionState;
  /** Counts (re)connections: sections reload when it changes, to catch up on missed events. */
  epoch: number;
  page: Page;
  info: AppInfo | null;
  runtime: RuntimeStatus | null;
  settings: Settings | null;
  warnings: AppWarning[];
  logLevel: string | null;
  rechecking: boolean;
  notice: Notice | null;
  /** The app refuses reads without the token (agents share this machine's network). */
  tokenRequired: boolean;
  /** Opened without the access token: nothing can be changed (whatever the connection). */
  readOnly: boolean;
  setPage(page: Page): void;
  connect(transport: Transport): () => void;
  refresh(): Promise<void>;
  recheckRuntime(): Promise<void>;
  updateSettings(patch: SettingsPatch): Promise<void>;
  dismissWarning(id: string): Promise<void>;
  openDataDir(): Promise<void>;
  clearNotice(): void;
}

function errorText(error: unknown): string {
  return error instanceof AppError || error instanceof Error ? error.message : String(error);
}

export const useApp = create<AppState>()((set, get) => {
  /** Runs a call, turning failures into a visible notice instead of an unhandled rejection. */
  const guarded = async (work: (t: Transport) => Promise<void>) => {
    const transport = get().transport;
    if (!transport) return;
    try {
      await work(transport);
    } catch (error) {
      // Without the token, where agents share the host's network, even reads are refused:
      // say that once, in the banner, rather than as an error after every call.
      if (error instanceof AppError && error.code === 'UNAUTHORIZED' && get().readOnly)
        set({ tokenRequired: true });
      else set({ notice: { kind: 'error', text: errorText(error) } });
    }
  };

  /** A short confirmation that also replaces an error the user has since fixed. */
  const flash = (text: string) => {
    const notice: Notice = { kind: 'success', text };
    set({ notice });
    setTimeout(() => {
      if (get().notice === notice) set({ notice: null });
    }, 2500);
  };

  /** Counts runtime events, so an older answer never overwrites a newer event. */
  let runtimeEvents = 0;
  const onEvent = (event: AnyEvent) => {
    switch (event.name) {
      case 'runtime.changed':
        runtimeEvents++;
        set({ runtime: event.payload });
        break;
      case 'settings.changed':
        set({ settings: event.payload });
        void get().refresh();
        break;
      case 'app.warning':
        set((s) => ({
          warnings: [...s.warnings.filter((w) => w.id !== event.payload.id), event.payload],
        }));
        break;
      case 'app.warningsChanged':
        set({ warnings: event.payload.warnings });
        break;
      default:
        break;
    }
  };

  return {
    transport: null,
    connection: 'connecting',
    epoch: 0,
    page: 'cowork',
    info: null,
    runtime: null,
    settings: null,
    warnings: [],
    logLevel: null,
    rechecking: false,
    notice: null,
    tokenRequired: false,
    readOnly: false,
    setPage: (page) => set({ page }),
    connect(raw) {
      // Every control consults `canMutate()`: while the connection is lost, changes cannot go
      // through either, so it says no then too (the offline banner gives the reason).
      const transport: Transport = Object.assign(Object.create(raw) as Transport, {
        canMutate: () => raw.canMutate() && get().connection !== 'offline',
      });
      set({ transport, readOnly: !raw.canMutate() });
      const offEvents = transport.subscribe(onEvent);
      const offConnection = transport.onConnection((connection) => {
        set((s) => ({ connection, epoch: connection === 'online' ? s.epoch + 1 : s.epoch }));
        if (connection === 'online') void get().refresh();
      });
      // Once now too: if the event stream is refused (no token), this says why.
      if (!raw.canMutate()) void get().refresh();
      return () => {
        offEvents();
        offConnection();
      };
    },
    refresh: () =>
      guarded(async (t) => {
        const seen = runtimeEvents;
        const [status, settings] = await Promise.all([
          t.call('app.status'),
          t.call('settings.get'),
        ]);
        set({
          info: status.app,
          // A runtime event that arrived meanwhile is newer than this answer: keep it.
          ...(seen === runtimeEvents ? { runtime: status.runtime } : {}),
          warnings: status.warnings,
          logLevel: status.logLevel,
          settings,
        });
      }),
    recheckRuntime: async () => {
      set({ rechecking: true });
      await guarded(async (t) => {
        set({ runtime: await t.call('runtime.recheck') });
      });
      set({ rechecking: false });
    },
    updateSettings: (patch) =>
      guarded(async (t) => {
        set({ settings: await t.call('settings.update', patch) });
        const status = await t.call('app.status');
        set({ logLevel: status.logLevel });
        flash('Saved.');
      }),
    dismissWarning: (id) =>
      guarded(async (t) => {
        set({ warnings: (await t.call('app.dismissWarning', { id })).warnings });
      }),
    openDataDir: () =>
      guarded(async (t) => {
        await t.call('app.openDataDir');
      }),
    clearNotice: () => set({ notice: null }),
  };
});
