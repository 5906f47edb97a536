import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import ssh2 from 'ssh2';

/**
 * A remote Docker engine as users reach one: the fake (or real) engine's unix socket behind a
 * TLS listener that demands a client certificate (dockerd --tlsverify), or behind an SSH
 * server that runs `docker system dial-stdio` (what `ssh://` endpoints use). Loopback only.
 */

export interface TlsMaterial {
  /** A DOCKER_CERT_PATH-style folder: ca.pem, cert.pem, key.pem for the client. */
  clientDir: string;
  server: { ca: Buffer; cert: Buffer; key: Buffer };
}

/** A private CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl. */
export function makeTlsMaterial(dir: string): TlsMaterial {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=test-ca',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
  );
  const sign = (name: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}-key.pem`,
      '-out',
      `${name}.csr`,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  };
  sign('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  sign('client', 'extendedKeyUsage=clientAuth\n');
  const clientDir = join(dir, 'client-certs');
  mkdirSync(clientDir);
  const read = (name: string) => readFileSync(join(dir, name));
  writeFileSync(join(clientDir, 'ca.pem'), read('ca.pem'));
  writeFileSync(join(clientDir, 'cert.pem'), read('client.pem'));
  writeFileSync(join(clientDir, 'key.pem'), read('client-key.pem'));
  return {
    clientDir,
    server: { ca: read('ca.pem'), cert: read('server.pem'), key: read('server-key.pem') },
  };
}

export interface Listening {
  port: number;
  close(): Promise<void>;
}

/** `dockerd --tlsverify` in front of a socket: only clients with a certificate from the CA get in. */
export async function startTlsEngine(
  material: TlsMaterial['server'],
  socketPath: string,
): Promise<Listening> {
  const open = new Set<{ destroy(): void }>();
  const server = createTlsServer(
    { ...material, requestCert: true, rejectUnauthorized: true },
    (tlsSocket) => {
      open.add(tlsSocket);
      tlsSocket.on('close', () => open.delete(tlsSocket));
      const upstream = connect(socketPath);
      tlsSocket.pipe(upstream).pipe(tlsSocket);
      upstream.on('error', () => tlsSocket.destroy());
      tlsSocket.on('error', () => upstream.destroy());
    },
  );
  server.on('tlsClientError', () => undefined);
  return listen(server, open);
}

export interface SshEngine extends Listening {
  /** The line a known_hosts file holds for this server. */
  knownHostsLine: string;
  /** A private key the server accepts for `user`, in OpenSSH format. */
  clientKey: string;
  user: string;
}

/** An SSH server whose only command is `docker system dial-stdio`, wired to the engine socket. */
export async function startSshEngine(socketPath: string, user = 'agent'): Promise<SshEngine> {
  const hostKeys = ssh2.utils.generateKeyPairSync('ed25519');
  const clientKeys = ssh2.utils.generateKeyPairSync('ed25519');
  const allowed = ssh2.utils.parseKey(clientKeys.public);
  if (allowed instanceof Error) throw allowed;
  const open = new Set<{ destroy(): void }>();
  const server = new ssh2.Server({ hostKeys: [hostKeys.private] }, (client) => {
    open.add({ destroy: () => client.end() });
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      const keyMatches =
        ctx.method === 'publickey' &&
        ctx.username === user &&
        ctx.key.algo === allowed.type &&
        ctx.key.data.equals(allowed.getPublicSSH());
      if (!keyMatches) return ctx.reject(['publickey']);
      if (ctx.method === 'publickey' && ctx.signature && ctx.blob) {
        return allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true
          ? ctx.accept()
          : ctx.reject(['publickey']);
      }
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        accept().on('exec', (acceptExec, reject, info) => {
          if (info.command !== 'docker system dial-stdio') return reject();
          const stream = acceptExec();
          const upstream = connect(socketPath);
          stream.pipe(upstream).pipe(stream);
          upstream.on('error', () => stream.close());
          upstream.on('close', () => {
            stream.exit(0);
            stream.close();
          });
        });
      });
    });
  });
  const listening = await listen(server as unknown as NetServer, open);
  const hostKeyBlob = hostKeys.public.split(' ')[1];
  return {
    ...listening,
    knownHostsLine: `[127.0.0.1]:${listening.port} ssh-ed25519 ${hostKeyBlob}`,
    clientKey: clientKeys.private,
    user,
  };
}

function listen(server: NetServer, open: Set<{ destroy(): void }>): Promise<Listening> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const connection of open) connection.destroy();
          }),
      });
    });
  });
}
