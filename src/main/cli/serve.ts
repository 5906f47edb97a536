import { channelEndpointsFromEnv } from '../domains/channel-endpoints';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../app';
import { resolveApiPort, resolveDataDir } from '../services/app/paths';
import type { ProxyStatus } from '../../shared/schemas/proxy';
import { runtimeDisplayName } from '../../shared/schemas/runtime';
import { keepRunningWhenReaderCloses } from './output';

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
  keepRunningWhenReaderCloses();
  // Ctrl+C while starting (the link is out, the engine may be slow): the start-up unwinds.
  const starting = new AbortController();
  const signals = handleSignals(() => starting.abort(new Error('stopped during the start-up')));
  const dataDir = options.dataDir
    ? resolveDataDir({ AIGO_DATA_DIR: options.dataDir })
    : resolveDataDir();
  const host = options.host ?? process.env.AIGO_HOST ?? '127.0.0.1';
  const rendererDir = findRendererDir();
  const creating = createApp({
    abort: starting.signal,
    mode: 'headless',
    dataDir,
    host,
    port: resolveApiPort(options.port),
    rendererDir,
    echoLogs: options.verbose ?? false,
    ...(process.env.AIGO_PROXY_PORT
      ? { proxyPort: resolveApiPort(process.env.AIGO_PROXY_PORT) }
      : {}),
    channelEndpoints: channelEndpointsFromEnv(process.env),
    // The link as soon as the API answers: the page shows the engine being detected.
    onListening: ({ url, token }) => {
      const lines = [
        'aigo is starting (headless).',
        `  Web UI:   ${url}/#token=${token}`,
        `  API:      ${url}/api/v1  (OpenAPI: ${url}/api/v1/openapi.json)`,
        `  Data:     ${dataDir}`,
      ];
      if (!rendererDir)
        lines.push('  Note:     the web UI is not built; run `npm run build` to get it.');
      if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
        lines.push(
          `  Warning:  listening on ${host}, not only loopback; anyone who can reach it can read diagnostics.`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    },
  });
  let core: Awaited<typeof creating>;
  try {
    core = await creating;
  } catch (error) {
    if (!starting.signal.aborted) throw error;
    // Everything started so far has been stopped; the lock and discovery file are gone.
    process.stdout.write('Stopped before the start-up finished.\n');
    process.exit(0);
  }
  // Whoever read the link may have signalled during the start-up: stop now that it is over.
  if (signals.ready(() => core.stop())) return;
  const runtime = core.services.runtime.status();
  const lines = [
    `  Runtime:  ${runtimeDisplayName(runtime)}${runtime.available ? ` ${runtime.version} at ${runtime.endpoint}` : ` — ${runtime.message}`}`,
    `  Proxy:    ${describeProxy(core.services.proxy.status())}`,
    `  Image:    ${core.services.image.status().image} ${core.services.image.status().state}`,
    'aigo is running. Press Ctrl+C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A signal this long after the first one forces the exit (a shutdown that hangs). */
const FORCE_AFTER_MS = 10_000;

/**
 * Ctrl+C under `npm start` arrives twice at once: the terminal signals the whole process group
 * and npm (through scripts/start.js) forwards its own. So the first SIGINT/SIGTERM stops
 * cleanly, a second one during the shutdown is ignored, and only a third one, or any after
 * FORCE_AFTER_MS, forces the exit. Signals during start-up stop the app once it is up.
 */
function handleSignals(duringStartup: () => void): { ready(stop: () => Promise<void>): boolean } {
  let stop: (() => Promise<void>) | null = null;
  let firstAt = 0;
  let count = 0;
  const begin = (fn: () => Promise<void>) => {
    fn().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Stopped with an error: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: string) => {
    count += 1;
    if (count === 1) {
      firstAt = Date.now();
      process.stdout.write(
        `Received ${signal}; stopping… (to force an exit: Ctrl+C twice more, or once after ${FORCE_AFTER_MS / 1000} s)\n`,
      );
      if (stop) begin(stop);
      else duringStartup();
      return;
    }
    if (count >= 3 || Date.now() - firstAt >= FORCE_AFTER_MS) {
      process.stderr.write(
        `Forced exit (${signal} again before the shutdown finished); aigo.lock and mgmt-api.json may be left in the data folder.\n`,
      );
      process.exit(1);
    }
    // The second signal of the same Ctrl+C: the shutdown is already under way.
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return {
    /** Arms the clean stop; true when a signal came during start-up and it has begun. */
    ready(fn) {
      stop = fn;
      if (count > 0) begin(fn);
      return count > 0;
    },
  };
}

function describeProxy(proxy: ProxyStatus): string {
  if (!proxy.running) return `not running — ${proxy.lastError ?? 'turned off'}`;
  const mappings = `${proxy.mappingCount} mapping${proxy.mappingCount === 1 ? '' : 's'}`;
  return `credential proxy on ${proxy.bindAddress}:${proxy.port} (${mappings})`;
}
