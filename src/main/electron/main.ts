// First: zod's settings must be in place before any schema is built.
import '../zod-config';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserWindow } from 'electron';
import { app, dialog } from 'electron';
import { createApp, type AppCore } from '../app';
import { channelEndpointsFromEnv } from '../domains/channel-endpoints';
import { resolveApiPort, resolveDataDir } from '../services/app/paths';
import { forwardEvents, registerIpc } from './ipc';
import { safeStorageCodec } from './secret-codec';
import { electronShell } from './shell';
import { applyStartAtLogin } from './login-item';
import { startNotifications } from './notifications';
import { createTray } from './tray';
import { createSettingsWindow } from './window';

// The desktop shell: one instance, a settings window, a tray, and the same core as `aigo serve`.
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// Before 'ready', so Chromium's own profile lands in the same folder as aigo's data.
const dataDir = resolveDataDir();
app.setPath('userData', dataDir);
let core: AppCore | null = null;
let window: BrowserWindow | null = null;
let quitting = false;
const cleanups: (() => void)[] = [];

/** Shows the window, on `route` (a renderer hash route such as `#/cowork/<id>`) when given. */
function showSettings(route?: string): void {
  if (!core) return;
  if (!window || window.isDestroyed()) {
    window = createSettingsWindow(outDir);
    // Closing the window keeps aigo running in the tray, unless the user chose to quit on close.
    window.on('close', (event) => {
      if (quitting) return;
      if (core?.services.settings.get().desktop.quitOnWindowClose) {
        app.quit();
        return;
      }
      event.preventDefault();
      window?.hide();
    });
  }
  window.show();
  window.focus();
  if (route && /^#\/[\w/-]*$/.test(route))
    void window.webContents.executeJavaScript(`location.hash = ${JSON.stringify(route)}`);
}

async function start(): Promise<void> {
  core = await createApp({
    mode: 'desktop',
    dataDir,
    port: resolveApiPort(undefined),
    shell: electronShell(),
    secretCodec: safeStorageCodec(),
    ...(process.env.AIGO_PROXY_PORT
      ? { proxyPort: resolveApiPort(process.env.AIGO_PROXY_PORT) }
      : {}),
    channelEndpoints: channelEndpointsFromEnv(process.env),
  });
  const ownContents = () => (window && !window.isDestroyed() ? window.webContents : null);
  cleanups.push(registerIpc(core, (sender) => sender === ownContents()));
  cleanups.push(forwardEvents(core, ownContents));
  const trayIcons = app.isPackaged
    ? join(process.resourcesPath, 'tray')
    : join(outDir, '..', 'build', 'tray');
  cleanups.push(
    createTray(core, trayIcons, {
      open: showSettings,
      'recheck-runtime': () => void core?.services.runtime.recheck('tray'),
      'rebuild-image': () => void core?.services.image.startBuild(),
      'toggle-pause': () => {
        const paused = core?.services.settings.get().sessions.paused ?? false;
        void core?.dispatch('settings.update', { sessions: { paused: !paused } });
      },
      quit: () => app.quit(),
    }),
  );
  cleanups.push(applyStartAtLogin(core));
  cleanups.push(startNotifications(core, showSettings));
  // Started at login: straight to the tray, no window.
  if (!process.argv.includes('--hidden')) showSettings();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showSettings());
  app.on('activate', () => showSettings());
  app.on('window-all-closed', () => {
    // Stay in the tray: schedules and channels keep running without a window.
  });
  app.on('before-quit', (event) => {
    if (!core) return;
    quitting = true;
    event.preventDefault();
    const stopping = core;
    core = null;
    for (const cleanup of cleanups.splice(0)) cleanup();
    void stopping.stop().finally(() => app.exit(0));
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      dialog.showErrorBox(
        'aigo could not start',
        error instanceof Error ? error.message : String(error),
      );
      app.exit(1);
    });
}
