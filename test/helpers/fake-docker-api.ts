import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export interface FakeEngine {
  version: string;
  apiVersion?: string;
  operatingSystem?: string;
  podman?: boolean;
  /** Runs as a user (its /info lists `name=rootless` among its security options). */
  rootless?: boolean;
  rootDir?: string;
  /** Answers ping and version but fails real commands with this engine error (HTTP 500). */
  commandsFail?: string;
}

/**
 * A Docker Engine API peer on a unix socket: answers the calls detection makes (`/_ping`,
 * `/version`, `/info`, `/containers/json`, `/networks/bridge`, `/events`) the way Docker and Podman do, so the
 * real dockerode client runs unmodified against it.
 */
export async function startFakeDockerApi(
  dir: string,
  engine: FakeEngine,
): Promise<{ socketPath: string; close(): Promise<void> }> {
  const socketPath = join(dir, `docker-${Math.random().toString(36).slice(2)}.sock`);
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '').replace(/^\/v[0-9.]+/, '');
    const json = (body: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.startsWith('/_ping')) {
      res.writeHead(200, {
        'content-type': 'text/plain',
        'api-version': engine.apiVersion ?? '1.41',
      });
      res.end('OK');
    } else if (url.startsWith('/version')) {
      json({
        Version: engine.version,
        ApiVersion: engine.apiVersion ?? '1.41',
        Os: 'linux',
        Arch: 'amd64',
        Components: engine.podman
          ? [
              { Name: 'Podman Engine', Version: engine.version },
              { Name: 'Conmon', Version: '2.1' },
            ]
          : [{ Name: 'Engine', Version: engine.version }],
      });
    } else if (url.startsWith('/info')) {
      json({
        OperatingSystem: engine.operatingSystem ?? 'Debian GNU/Linux 12 (bookworm)',
        Name: 'fake',
        DockerRootDir: engine.rootDir,
        SecurityOptions: engine.rootless
          ? ['name=seccomp,profile=default', 'name=rootless']
          : ['name=seccomp,profile=default'],
      });
    } else if (url.startsWith('/containers/json')) {
      if (engine.commandsFail) json({ message: engine.commandsFail }, 500);
      else json([]);
    } else if (url.startsWith('/networks/bridge')) {
      json({ message: 'network bridge not found' }, 404);
    } else if (url.startsWith('/events')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
    } else {
      json({ message: `fake engine: no ${url}` }, 404);
    }
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
