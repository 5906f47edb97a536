import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectRuntime } from '../../src/main/services/runtime/detect';
import { defaultSettings, type Settings } from '../../src/shared/schemas/settings';
import { startFakeDockerApi } from '../helpers/fake-docker-api';
import { fakeHost } from '../helpers/fake-host';
import {
  makeTlsMaterial,
  startSshEngine,
  startTlsEngine,
  type Listening,
  type SshEngine,
  type TlsMaterial,
} from '../helpers/remote-engine';

/**
 * Remote engines as the Docker CLI reaches them: `tcp://` with TLS client certificates (what
 * DOCKER_TLS_VERIFY and DOCKER_CERT_PATH set up) and `ssh://` through `docker system
 * dial-stdio`. Settings must reach what the environment variables reach, and a failure must
 * name remote causes, never the local `systemctl restart docker`.
 */

let dir: string;
let engine: { socketPath: string; close(): Promise<void> };
let tls: TlsMaterial;
let tlsEngine: Listening;
let sshEngine: SshEngine;
const scratchDirs: string[] = [];

function tempDir(prefix: string): string {
  const path = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.push(path);
  return path;
}

beforeAll(async () => {
  dir = tempDir('aigo-remote-');
  engine = await startFakeDockerApi(dir, { version: '28.2.2' });
  tls = makeTlsMaterial(dir);
  tlsEngine = await startTlsEngine(tls.server, engine.socketPath);
  sshEngine = await startSshEngine(engine.socketPath);
}, 60_000);

afterAll(async () => {
  await Promise.all([tlsEngine?.close(), sshEngine?.close(), engine?.close()]);
  for (const path of scratchDirs) rmSync(path, { recursive: true, force: true });
});

const runtime = (patch: Partial<Settings['runtime']>): Settings['runtime'] => ({
  ...defaultSettings().runtime,
  preferred: 'docker',
  ...patch,
});

/** A home folder of its own per test: known_hosts and default keys live there. */
function home(files: Record<string, string> = {}): string {
  const path = tempDir('aigo-home-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(path, name, '..'), { recursive: true });
    writeFileSync(join(path, name), text, { mode: 0o600 });
  }
  return path;
}

function expectRemoteFixes(fix: string[]): void {
  expect(fix.length).toBeGreaterThan(0);
  // The local daemon's fixes: a remote engine is restarted on its own host, not here.
  for (const line of fix)
    expect(line).not.toMatch(/^sudo systemctl|^docker version$|Docker Desktop/);
}

describe('a tcp:// engine with TLS', () => {
  it('connects with the certificate folder and verification set in Settings', async () => {
    const { status } = await detectRuntime(
      fakeHost({ home: home() }),
      runtime({
        dockerHost: `tcp://127.0.0.1:${tlsEngine.port}`,
        dockerTlsVerify: true,
        dockerCertPath: tls.clientDir,
      }),
    );
    expect(status.message).toMatch(/is running/);
    expect(status).toMatchObject({ available: true, version: '28.2.2' });
  });

  it('connects through DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as the CLI does', async () => {
    const env = {
      DOCKER_HOST: `tcp://127.0.0.1:${tlsEngine.port}`,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: tls.clientDir,
    };
    const { status } = await detectRuntime(fakeHost({ home: home(), env }), runtime({}));
    expect(status.message).toMatch(/is running/);
    expect(status.endpoint).toBe(env.DOCKER_HOST);
  });

  it('without the CA says the certificate is not trusted and where to set the folder', async () => {
    const { status } = await detectRuntime(
      fakeHost({ home: home() }),
      runtime({ dockerHost: `tcp://127.0.0.1:${tlsEngine.port}`, dockerTlsVerify: true }),
    );
    const check = status.checks[0]!;
    expect(status.available).toBe(false);
    expect(check.message).toMatch(/certificate/i);
    expect(check.fix.join('\n')).toMatch(/TLS certificate folder/);
    expectRemoteFixes(check.fix);
  });

  it('with the CA but no client certificate says the engine wants one', async () => {
    const onlyCa = join(tempDir('aigo-ca-'), 'certs');
    mkdirSync(onlyCa);
    writeFileSync(join(onlyCa, 'ca.pem'), tls.server.ca);
    const { status } = await detectRuntime(
      fakeHost({ home: home() }),
      runtime({
        dockerHost: `tcp://127.0.0.1:${tlsEngine.port}`,
        dockerTlsVerify: true,
        dockerCertPath: onlyCa,
      }),
    );
    const check = status.checks[0]!;
    expect(check.message).toMatch(/client certificate/i);
    expect(check.message).toMatch(/cert\.pem/);
    expectRemoteFixes(check.fix);
  });

  it('names a certificate folder that does not hold the files', async () => {
    const empty = tempDir('aigo-nocerts-');
    const { status } = await detectRuntime(
      fakeHost({ home: home() }),
      runtime({
        dockerHost: `tcp://127.0.0.1:${tlsEngine.port}`,
        dockerTlsVerify: true,
        dockerCertPath: empty,
      }),
    );
    expect(status.checks[0]!.message).toContain(join(empty, 'ca.pem'));
  });

  it('when nothing answers gives remote causes, not a local daemon restart', async () => {
    const port = await closedPort();
    const { status } = await detectRuntime(
      fakeHost({ home: home() }),
      runtime({ dockerHost: `tcp://127.0.0.1:${port}` }),
    );
    const check = status.checks[0]!;
    expect(check.status).toBe('not_running');
    expect(check.message).toContain(`127.0.0.1:${port}`);
    expect(check.fix.join('\n')).toContain(`docker -H tcp://127.0.0.1:${port} version`);
    expectRemoteFixes(check.fix);
  });
});

describe('an ssh:// engine', () => {
  const endpoint = () => `ssh://${sshEngine.user}@127.0.0.1:${sshEngine.port}`;

  it('connects with an identity file from Settings and a known host key', async () => {
    const keyFile = join(tempDir('aigo-key-'), 'id_test');
    writeFileSync(keyFile, sshEngine.clientKey, { mode: 0o600 });
    const { status } = await detectRuntime(
      fakeHost({ home: home({ '.ssh/known_hosts': `${sshEngine.knownHostsLine}\n` }) }),
      runtime({ dockerHost: endpoint(), dockerSshIdentityFile: keyFile }),
    );
    expect(status.message).toMatch(/is running/);
    expect(status).toMatchObject({ available: true, endpoint: endpoint() });
  });

  it("uses the user's default key as ssh does", async () => {
    const { status } = await detectRuntime(
      fakeHost({
        home: home({
          '.ssh/known_hosts': `${sshEngine.knownHostsLine}\n`,
          '.ssh/id_ed25519': sshEngine.clientKey,
        }),
      }),
      runtime({ dockerHost: endpoint() }),
    );
    expect(status.message).toMatch(/is running/);
  });

  it('refuses a host whose key is not in known_hosts, and says how to accept it', async () => {
    const { status } = await detectRuntime(
      fakeHost({ home: home({ '.ssh/id_ed25519': sshEngine.clientKey }) }),
      runtime({ dockerHost: endpoint() }),
    );
    const check = status.checks[0]!;
    expect(status.available).toBe(false);
    expect(check.message).toMatch(/known_hosts/);
    expect(check.fix.join('\n')).toContain(`ssh -p ${sshEngine.port} ${sshEngine.user}@127.0.0.1`);
    expectRemoteFixes(check.fix);
  });

  it('refuses a host whose key changed', async () => {
    const other = `[127.0.0.1]:${sshEngine.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDBhT8XFhBUMoDI5YpMlT4Wg59chfbuH3h0BjoJyYfJu`;
    const { status } = await detectRuntime(
      fakeHost({
        home: home({ '.ssh/known_hosts': `${other}\n`, '.ssh/id_ed25519': sshEngine.clientKey }),
      }),
      runtime({ dockerHost: endpoint() }),
    );
    expect(status.checks[0]!.message).toMatch(/changed/i);
  });

  it('says which login failed and how to offer a key when the server refuses it', async () => {
    const stranger = ssh2.utils.generateKeyPairSync('ed25519').private;
    const { status } = await detectRuntime(
      fakeHost({
        home: home({
          '.ssh/known_hosts': `${sshEngine.knownHostsLine}\n`,
          '.ssh/id_ed25519': stranger,
        }),
      }),
      runtime({ dockerHost: endpoint() }),
    );
    const check = status.checks[0]!;
    expect(check.status, check.message).toBe('permission_denied');
    expect(check.message).toContain(`${sshEngine.user}@127.0.0.1`);
    expect(check.fix.join('\n')).toMatch(/ssh-add/);
    expectRemoteFixes(check.fix);
  });
});

describe('an ssh:// engine with nothing to log in with', () => {
  it('says no key can be offered before trying, and names the places it looked', async () => {
    const { status } = await detectRuntime(
      fakeHost({ home: home() }),
      runtime({ dockerHost: `ssh://agent@127.0.0.1:${sshEngine.port}` }),
    );
    expect(status.checks[0]!.message).toMatch(/No SSH key to offer.*SSH_AUTH_SOCK.*id_ed25519/);
  });

  it('says a passphrase-protected identity file needs the agent', async () => {
    const keyFile = join(tempDir('aigo-key-'), 'id_locked');
    const locked = ssh2.utils.generateKeyPairSync('ed25519', {
      passphrase: 'secret',
      cipher: 'aes256-ctr',
      rounds: 4,
    });
    writeFileSync(keyFile, locked.private, { mode: 0o600 });
    const { status } = await detectRuntime(
      fakeHost({ home: home() }),
      runtime({
        dockerHost: `ssh://agent@127.0.0.1:${sshEngine.port}`,
        dockerSshIdentityFile: keyFile,
      }),
    );
    expect(status.checks[0]!.message).toContain(`ssh-add ${keyFile}`);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
