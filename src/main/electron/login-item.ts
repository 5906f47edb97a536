import { app } from 'electron';
import type { AppCore } from '../app';
import { setAutostart } from '../services/app/login-start';

/**
 * Settings > Advanced > Start at login: Electron's login item on macOS and Windows, an XDG
 * autostart entry on Linux (where Electron has none). Started that way, aigo opens in the
 * tray without a window (`--hidden`). Applied at start and whenever the setting changes.
 */
export function applyStartAtLogin(core: AppCore): () => void {
  let applied: boolean | null = null;
  const apply = (enabled: boolean) => {
    if (enabled === applied) return;
    applied = enabled;
    if (process.platform === 'linux') {
      // An AppImage runs from a temporary mount: the AppImage file itself is what to start.
      const exec = process.env.APPIMAGE ?? process.execPath;
      setAutostart(enabled, exec).catch((error: unknown) =>
        core.logger.warn({ err: error }, 'Could not change the autostart entry'),
      );
    } else {
      app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
    }
  };
  apply(core.services.settings.get().desktop.startAtLogin);
  return core.bus.on('settings.changed', (s) => apply(s.desktop.startAtLogin));
}
