import { isInside } from './path-utils';

/**
 * Folders of the operating system that no allowed root may be, contain or lie in: kernel and
 * process views, devices, system configuration, runtime sockets and the boot loader. (`/` and
 * `/var` contain some of them, so they can never be roots either.) macOS keeps `/etc` and
 * `/var` under `/private`.
 */
export const SYSTEM_PATHS = [
  '/proc',
  '/sys',
  '/dev',
  '/etc',
  '/run',
  '/var/run',
  '/boot',
  '/private/etc',
  '/private/var/run',
] as const;

/** The system folder a root is, contains or lies in, checked on both the given and real path. */
export function systemPathConflict(
  paths: readonly string[],
  platform: NodeJS.Platform = process.platform,
): string | null {
  if (platform === 'win32') return null;
  for (const path of paths)
    for (const system of SYSTEM_PATHS)
      if (isInside(path, system) || isInside(system, path)) return system;
  return null;
}
