import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export const APP_DIR_NAME = 'aigo';
export const DEFAULT_API_PORT = 55765;
export const DEFAULT_API_HOST = '127.0.0.1';

/**
 * The data folder: AIGO_DATA_DIR, else the OS convention Electron also uses for `userData`,
 * so the desktop app and `aigo serve` share one folder.
 */
export function resolveDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
  home = homedir(),
): string {
  // An empty variable is an unset one; a relative XDG path is invalid by the XDG spec.
  const set = (value: string | undefined) => (value && value.trim() ? value : undefined);
  const dataDir = set(env.AIGO_DATA_DIR);
  if (dataDir) return resolve(dataDir);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  if (platform === 'win32')
    return join(set(env.APPDATA) ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  const xdg = set(env.XDG_CONFIG_HOME);
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), APP_DIR_NAME);
}

export function resolveApiPort(
  flag: string | number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const raw = flag ?? env.AIGO_PORT ?? DEFAULT_API_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `Invalid port "${String(raw)}": use a whole number from 1 to 65535 (0 picks a free one).`,
    );
  }
  return port;
}

export function dataPaths(dataDir: string) {
  return {
    dataDir,
    logDir: join(dataDir, 'logs'),
    auditDir: join(dataDir, 'audit'),
    tokenFile: join(dataDir, 'api-token'),
    discoveryFile: join(dataDir, 'mgmt-api.json'),
  };
}
