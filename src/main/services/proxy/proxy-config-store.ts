import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  proxyConfigSchema,
  type ProxyConfig,
  type ProxyMapping,
} from '../../../shared/schemas/proxy';
import type { WarningCenter } from '../app/warnings';
import { JsonStore } from '../store/json-store';

export const PROXY_CONFIG_FILE = 'credential-proxy.json';

/** The proxy's settings and mappings (never keys: those live in the secret store). */
export type ProxyConfigStore = JsonStore<typeof proxyConfigSchema>;

export function createConfigStore(deps: {
  dataDir: string;
  logger: Logger;
  warnings: WarningCenter;
}): ProxyConfigStore {
  return new JsonStore({
    path: join(deps.dataDir, PROXY_CONFIG_FILE),
    schema: proxyConfigSchema,
    defaults: () => proxyConfigSchema.parse({}),
    label: 'The credential proxy settings',
    warningCode: 'PROXY_CONFIG_CORRUPT',
    logger: deps.logger,
    warnings: deps.warnings,
  });
}

/** Writes the mappings `change` makes of the current ones, keeping the other settings. */
export function replaceMappings(
  store: ProxyConfigStore,
  change: (mappings: ProxyMapping[]) => ProxyMapping[],
): Promise<ProxyConfig> {
  const config = store.get();
  return store.replace({ ...config, mappings: change(config.mappings) });
}

/** steno (JsonStore's writer) writes `.credential-proxy.json.tmp` and renames it. */
export async function removeStaleConfigTemp(dataDir: string, logger: Logger): Promise<void> {
  const name = `.${PROXY_CONFIG_FILE}.tmp`;
  try {
    if (!(await readdir(dataDir)).includes(name)) return;
  } catch {
    return; // no data folder yet
  }
  await rm(join(dataDir, name), { force: true });
  logger.info({ file: name }, 'Removed a temporary settings copy left by a crash');
}
