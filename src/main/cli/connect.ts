import { readFile } from 'node:fs/promises';
import { AppError } from '../../shared/errors';
import { createHttpCaller, type HttpCaller } from '../../shared/contract/http-client';
import { processAlive, readDiscovery } from '../services/app/discovery';
import { dataPaths, resolveDataDir } from '../services/app/paths';

export interface ConnectOptions {
  endpoint?: string;
  token?: string;
  dataDir?: string;
}

/**
 * Finds the running app: --endpoint, else AIGO_ENDPOINT, else the discovery file the app
 * writes in its data folder. The token comes from --token, AIGO_TOKEN or DATA_DIR/api-token.
 */
export async function connect(
  options: ConnectOptions,
): Promise<{ call: HttpCaller; url: string; token: string | null }> {
  const env = process.env;
  const dataDir = options.dataDir ?? resolveDataDir(env);
  const paths = dataPaths(dataDir);
  let url = options.endpoint ?? env.AIGO_ENDPOINT;
  if (!url) {
    const discovery = await readDiscovery(paths.discoveryFile);
    if (!discovery) {
      throw new AppError(
        'UNREACHABLE',
        `aigo is not running (no ${paths.discoveryFile}). Start it with \`aigo serve\` or the desktop app, or pass --endpoint.`,
      );
    }
    if (!processAlive(discovery.pid)) {
      throw new AppError(
        'UNREACHABLE',
        `aigo is not running: the discovery file names process ${discovery.pid}, which has exited. Start it with \`aigo serve\`.`,
      );
    }
    url = discovery.url;
  }
  let token = options.token ?? env.AIGO_TOKEN ?? null;
  if (!token) {
    try {
      token = (await readFile(paths.tokenFile, 'utf8')).trim();
    } catch {
      token = null; // read-only commands still work without it
    }
  }
  const base = url.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return { call: createHttpCaller({ baseUrl: base, token: () => token }), url: base, token };
}
