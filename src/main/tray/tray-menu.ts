import type { ImageStatus } from '../../shared/schemas/image';
import type { RuntimeStatus } from '../../shared/schemas/runtime';
import { runtimeDisplayName } from '../../shared/schemas/runtime';

/** Tray actions; the Electron layer maps each to a click handler. */
export type TrayAction = 'open-settings' | 'recheck-runtime' | 'rebuild-image' | 'quit';

export type TrayMenuItem =
  { type: 'normal'; label: string; enabled: boolean; action?: TrayAction } | { type: 'separator' };

export interface TrayState {
  runtime: RuntimeStatus | null;
  warnings: number;
  image?: Pick<ImageStatus, 'state' | 'progress'> | null;
}

/** The tray menu as data: pure, so it is unit-tested without Electron. */
export function buildTrayMenu(state: TrayState): TrayMenuItem[] {
  const items: TrayMenuItem[] = [];
  const runtime = state.runtime;
  if (!runtime) {
    items.push({ type: 'normal', label: 'Runtime: detecting…', enabled: false });
  } else if (runtime.available) {
    items.push({
      type: 'normal',
      label: `Runtime: ${runtimeDisplayName(runtime)} ${runtime.version ?? ''}`.trim(),
      enabled: false,
    });
  } else {
    items.push({ type: 'normal', label: 'Runtime: Not available', enabled: false });
    items.push({
      type: 'normal',
      label: 'Fix the container runtime…',
      enabled: true,
      action: 'open-settings',
    });
    items.push({
      type: 'normal',
      label: 'Re-check runtime',
      enabled: true,
      action: 'recheck-runtime',
    });
  }
  const image = state.image;
  if (image?.state === 'outdated')
    items.push({
      type: 'normal',
      label: 'Agent image outdated — Rebuild',
      enabled: true,
      action: 'rebuild-image',
    });
  if (image?.state === 'missing')
    items.push({
      type: 'normal',
      label: 'Agent image not built — Build',
      enabled: true,
      action: 'rebuild-image',
    });
  if (image?.state === 'failed')
    items.push({
      type: 'normal',
      label: 'Agent image build failed — open Settings',
      enabled: true,
      action: 'open-settings',
    });
  if (image?.state === 'building')
    items.push({
      type: 'normal',
      label: `Building agent image… ${image.progress?.percent ?? 0}%`,
      enabled: false,
    });
  if (state.warnings > 0) {
    items.push({
      type: 'normal',
      label: `${state.warnings} warning${state.warnings === 1 ? '' : 's'} — open Settings`,
      enabled: true,
      action: 'open-settings',
    });
  }
  items.push({ type: 'separator' });
  items.push({ type: 'normal', label: 'Open Settings', enabled: true, action: 'open-settings' });
  items.push({ type: 'normal', label: 'Quit aigo', enabled: true, action: 'quit' });
  return items;
}

export function trayTooltip(runtime: RuntimeStatus | null): string {
  return runtime ? `aigo — ${runtimeDisplayName(runtime)}` : 'aigo';
}
