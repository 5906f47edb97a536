import { join } from 'node:path';
import { Menu, nativeImage, Tray } from 'electron';
import type { AppCore } from '../app';
import { buildTrayMenu, trayLevel, trayTooltip, type TrayAction } from '../tray/tray-menu';
import { collectTrayState, TRAY_EVENTS } from '../tray/tray-state';

/** The tray: status lines, an icon in the worst state's colour, and the app's actions. */
export function createTray(
  core: AppCore,
  /** The folder with tray-ok.png, tray-warning.png, tray-problem.png (and their @2x). */
  iconDir: string,
  /** Each action may say where the window should show (a renderer route such as `#/cowork/<id>`). */
  actions: Record<TrayAction, (route?: string) => void>,
): () => void {
  const icon = (level: string) => nativeImage.createFromPath(join(iconDir, `tray-${level}.png`));
  const tray = new Tray(icon('ok'));
  let shownLevel = 'ok';
  const refresh = () => {
    const state = collectTrayState(core);
    const template = buildTrayMenu(state).map((item) =>
      item.type === 'separator'
        ? { type: 'separator' as const }
        : {
            label: item.label,
            enabled: item.enabled,
            ...(item.action ? { click: () => actions[item.action as TrayAction](item.route) } : {}),
          },
    );
    tray.setContextMenu(Menu.buildFromTemplate(template));
    tray.setToolTip(trayTooltip(state));
    const level = trayLevel(state);
    if (level !== shownLevel) {
      shownLevel = level;
      tray.setImage(icon(level));
    }
  };
  refresh();
  const offs = TRAY_EVENTS.map((name) => core.bus.on(name, refresh));
  // "Next schedule in 5 min" stays true as time passes.
  const clock = setInterval(refresh, 60_000);
  tray.on('click', () => actions.open());
  return () => {
    clearInterval(clock);
    for (const off of offs) off();
    tray.destroy();
  };
}
