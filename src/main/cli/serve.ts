import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../app';
import { resolveApiPort, resolveDataDir } from '../services/app/paths';
import type { ProxyStatus } from '../../shared/schemas/proxy';
import { runtimeDisplayName } from '../../shared/schemas/runtime';

export interface ServeOptions {
  port?: string;
  host?: string;
  dataDir?: string;
  verbose?: boolean;
}

/** The built web UI sits next to the built CLI: out/main/cli.js -> out/renderer/. */
function findRendererDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [
    join(here, '../renderer'),
    join(here, '../../out/renderer'),
    join(here, '../../../out/renderer'),
  ]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return null;
}

/** `aigo serve`: every service and the web UI, no window. Stops cleanly on SIGINT/SIGTERM. */
export async function serve(options: ServeOptions): Promise<void> {
  const dataDir = options.dataDir
    ? resolveDataDir({ AIGO_DATA_DIR: options.dataDir })
    : resolveDataDir();
  const host = options.host ?? process.env.AIGO_HOST ?? '127.0.0.1';
  const rendererDir = findRendererDir();
  const core = await createApp({
    mode: 'headless',
    dataDir,
    host,
    port: resolveApiPort(options.port),
    rendererDir,
    echoLogs: options.verbose ?? false,
    ...(process.env.AIGO_PROXY_PORT
      ? { proxyPort: resolveApiPort(process.env.AIGO_PROXY_PORT) }
      : {}),
  });
  const runtime = core.services.runtime.status();
  const lines = [
    'aigo is running (headless).',
    `  Web UI:   ${core.api.url}/#token=${core.token}`,
    `  API:      ${core.api.url}/api/v1  (OpenAPI: ${core.api.url}/api/v1/openapi.json)`,
    `  Data:     ${dataDir}`,
    `  Runtime:  ${runtimeDisplayName(runtime)}${runtime.available ? ` ${runtime.version} at ${runtime.endpoint}` : ` — ${runtime.message}`}`,
    `  Proxy:    ${describeProxy(core.services.proxy.status())}`,
    `  Image:    ${core.services.image.status().image} ${core.services.image.status().state}`,
  ];
  if (!rendererDir)
    lines.push('  Note:     the web UI is not built; run `npm run build` to get it.');
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    lines.push(
      `  Warning:  listening on ${host}, not only loopback; anyone who can reach it can read diagnostics.`,
    );
  }
  lines.push('Press Ctrl+C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.stderr.write('Forced exit.\n');
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`Received ${signal}; stopping…\n`);
    core.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Stopped with an error: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

function describeProxy(proxy: ProxyStatus): string {
  if (!proxy.running) return `not running — ${proxy.lastError ?? 'turned off'}`;
  const mappings = `${proxy.mappingCount} mapping${proxy.mappingCount === 1 ? '' : 's'}`;
  return `credential proxy on ${proxy.bindAddress}:${proxy.port} (${mappings})`;
}
