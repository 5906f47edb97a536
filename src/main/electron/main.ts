import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserWindow } from 'electron';
import { app, dialog } from 'electron';
import { createApp, type AppCore } from '../app';
import { resolveApiPort, resolveDataDir } from '../services/app/paths';
import { forwardEvents, registerIpc } from './ipc';
import { safeStorageCodec } from './secret-codec';
import { electronShell } from './shell';
import { createTray, trayIconPath } from './tray';
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
    // Closing the window keeps aigo running in the tray.
    window.on('close', (event) => {
      if (!quitting) {
        event.preventDefault();
        window?.hide();
      }
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
  });
  const ownContents = () => (window && !window.isDestroyed() ? window.webContents : null);
  cleanups.push(registerIpc(core, (sender) => sender === ownContents()));
  cleanups.push(forwardEvents(core, ownContents));
  cleanups.push(
    createTray(core, trayIconPath(join(outDir, '..', 'build')), {
      'open-settings': showSettings,
      'recheck-runtime': () => void core?.services.runtime.recheck('tray'),
      'rebuild-image': () => void core?.services.image.startBuild(),
      quit: () => app.quit(),
    }),
  );
  showSettings();
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
