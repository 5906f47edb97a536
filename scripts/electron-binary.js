// Where the Electron binary is, if it has been downloaded. Electron fetches it lazily, which
// fails on machines without network access; callers fall back to headless mode then.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const electronDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'electron');

export function electronBinary() {
  if (process.env.AIGO_ELECTRON)
    return existsSync(process.env.AIGO_ELECTRON) ? process.env.AIGO_ELECTRON : null;
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

export const electronInstaller = join(electronDir, 'install.js');

export function hasDisplay() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}
