import { join } from 'node:path';
import { Menu, nativeImage, Tray } from 'electron';
import type { AppCore } from '../app';
import { buildTrayMenu, trayTooltip, type TrayAction } from '../tray/tray-menu';

export function createTray(
  core: AppCore,
  iconPath: string,
  /** Each action may say where the window should show (a renderer route such as `#/cowork/<id>`). */
  actions: Record<TrayAction, (route?: string) => void>,
): () => void {
  const icon = nativeImage.createFromPath(iconPath);
  const tray = new Tray(
    icon.isEmpty() ? nativeImage.createEmpty() : icon.resize({ width: 16, height: 16 }),
  );
  const refresh = () => {
    const runtime = core.services.runtime.status();
    const sessions = core.services.sessions.list({ limit: 50 });
    const template = buildTrayMenu({
      runtime,
      warnings: core.services.warnings.list().length,
      image: core.services.image.status(),
      sessions,
    }).map((item) =>
      item.type === 'separator'
        ? { type: 'separator' as const }
        : {
            label: item.label,
            enabled: item.enabled,
            ...(item.action ? { click: () => actions[item.action as TrayAction](item.route) } : {}),
          },
    );
    tray.setContextMenu(Menu.buildFromTemplate(template));
    tray.setToolTip(trayTooltip(runtime, sessions));
  };
  refresh();
  const off = core.bus.subscribe((event) => {
    if (
      event.name === 'runtime.changed' ||
      event.name === 'app.warningsChanged' ||
      event.name === 'image.changed' ||
      event.name === 'session.updated'
    )
      refresh();
  });
  tray.on('click', () => actions['open-settings']());
  return () => {
    off();
    tray.destroy();
  };
}

export function trayIconPath(resourcesDir: string): string {
  return join(resourcesDir, 'icon.png');
}
