import { request, type IncomingHttpHeaders } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WarningCenter } from '../../src/main/services/app/warnings';
import { AuditLog } from '../../src/main/services/audit/audit-log';
import { EventBus } from '../../src/main/services/events/event-bus';
import {
  CredentialProxyService,
  PROXY_CONFIG_FILE,
  type CredentialProxyDeps,
} from '../../src/main/services/proxy/credential-proxy-service';
import { fileOnlyCodec, SecretStore } from '../../src/main/services/secrets/secret-store';
import type { RuntimeStatus } from '../../src/shared/schemas/runtime';
import { noNetworking, unavailableStatus } from '../../src/main/services/runtime/initial-status';
import { silentLogger, tempDir } from './temp';

/** No engine: the proxy binds to loopback and containers are not needed. */
export const NO_RUNTIME: RuntimeStatus = unavailableStatus(
  'no runtime in unit tests',
  noNetworking(null),
  [],
  new Date(0).toISOString(),
);

export interface Sent {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A credential proxy service on its own, in a data folder of its own (or a given one, to start
 * it on files a crash left behind), with a real audit log and a 0600 secret store.
 */
export async function startProxyHarness(
  options: {
    dataDir?: string;
    /** Written to credential-proxy.json before start (when given). */
    config?: Record<string, unknown>;
    limits?: CredentialProxyDeps['limits'];
  } = {},
) {
  const dir = options.dataDir ? null : await tempDir();
  const dataDir = options.dataDir ?? dir!.path;
  if (options.config)
    await writeFile(join(dataDir, PROXY_CONFIG_FILE), JSON.stringify(options.config));
  const bus = new EventBus();
  const audit = new AuditLog({ dir: join(dataDir, 'audit'), bus, logger: silentLogger() });
  await audit.start();
  const secrets = new SecretStore(join(dataDir, 'secrets.json'), fileOnlyCodec);
  const service = new CredentialProxyService({
    dataDir,
    bus,
    audit,
    logger: silentLogger(),
    warnings: new WarningCenter(bus),
    secrets,
    runtime: () => NO_RUNTIME,
    docker: () => {
      throw new Error('no engine in unit tests');
    },
    portOverride: 0,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  await service.start();
  const port = service.status().port;
  if (!port) throw new Error('the credential proxy did not start');

  /** One request on its own connection, answered in full (or a socket error). */
  const send = (
    path: string,
    headers: Record<string, string> = {},
    { method = 'POST', body = '{}' }: { method?: string; body?: string } = {},
  ) =>
    new Promise<Sent>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, method, headers, agent: false },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const entries = async (severity?: 'info' | 'warning' | 'violation') =>
    (
      await audit.query({
        category: 'proxy',
        limit: 500,
        ...(severity ? { severity } : {}),
      })
    ).entries;

  return {
    service,
    audit,
    secrets,
    dataDir,
    port,
    url: `http://127.0.0.1:${port}`,
    send,
    entries,
    /** Stops the service and the audit log; the data folder stays unless `cleanup`. */
    stop: async (cleanup = true) => {
      await service.stop();
      await audit.stop();
      if (cleanup) await dir?.cleanup();
    },
  };
}
