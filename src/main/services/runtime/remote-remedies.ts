import type { CheckStatus } from '../../../shared/schemas/runtime';
import type { ParsedEndpoint, RemoteAccess } from './candidates';
import { MIN_DOCKER_VERSION, type Remedy } from './remedies';
import { knownHostsName, lastHostKeyVerdict } from './ssh-known-hosts';

/**
 * Causes and fixes for an engine on another machine. None of the local remedies fit there
 * ("sudo systemctl restart docker" restarts a daemon this machine may not even have): the
 * user checks the network path, the TLS material or the SSH login, then the engine on that host.
 */
type Remote = Extract<ParsedEndpoint, { kind: 'tcp' | 'ssh' }>;

const SETTINGS = 'Settings > Container > Runtime preferences';

export interface RemoteFailure extends Remedy {
  status: CheckStatus;
}

export function remoteFailure(
  error: unknown,
  remote: Remote,
  endpoint: string,
  access: RemoteAccess | undefined,
): RemoteFailure {
  const e = error as { code?: string; message?: string; level?: string; statusCode?: number };
  const code = e.code ?? '';
  const text = e.message ?? String(error);
  const unreachable = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND'];
  if (unreachable.includes(code) || /timed? ?out/i.test(text))
    return {
      status: 'not_running',
      message: `Nothing answers at ${endpoint} (${code || text}).${code === 'ENOTFOUND' ? ` The name ${remote.host} does not resolve.` : ''}`,
      fix: remote.kind === 'ssh' ? sshReachFix(remote) : tcpReachFix(remote, endpoint, access),
    };
  return remote.kind === 'ssh'
    ? sshFailure(text, e.level, remote)
    : tlsFailure(code, text, remote, endpoint, access);
}

/** A remedy for the states an answering remote engine can be in. */
export function remoteRemedy(
  status: 'too_old' | 'commands_fail' | 'error',
  remote: Remote,
  endpoint: string,
  detail: string,
): RemoteFailure {
  const on = (command: string) =>
    remote.kind === 'ssh' ? `${sshCommand(remote)} '${command}'` : `On ${remote.host}: ${command}`;
  if (status === 'too_old')
    return {
      status,
      message: `The engine at ${endpoint} is ${detail}, too old; aigo needs Docker ${MIN_DOCKER_VERSION} or newer.`,
      fix: [`Update Docker on ${remote.host}`, on('docker version')],
    };
  return {
    status,
    message: `The engine at ${endpoint} answers but ${status === 'commands_fail' ? 'its commands fail' : 'answered with an error'}: ${detail}.`,
    fix: [
      on('docker ps'),
      on('sudo systemctl restart docker'),
      on('df -h /var/lib/docker'),
      'Review the app log: aigo logs --last 500',
    ],
  };
}

/** A certificate or key that could not be used before any connection was tried. */
export function remoteSetupRemedy(problem: string, access: RemoteAccess | undefined): Remedy {
  return {
    message: problem,
    fix: [
      access?.from === 'environment'
        ? 'Fix the file, or DOCKER_HOST / DOCKER_CERT_PATH, then restart aigo'
        : `Fix the file, or change the setting in ${SETTINGS}`,
    ],
  };
}

function tcpReachFix(
  remote: Extract<Remote, { kind: 'tcp' }>,
  endpoint: string,
  access: RemoteAccess | undefined,
): string[] {
  return [
    `${cliCheck(remote, access)}`,
    `On ${remote.host}: the engine must listen on TCP port ${remote.port} (dockerd -H tcp://0.0.0.0:${remote.port}${remote.tls ? ' --tlsverify' : ''}); check with \`sudo ss -ltnp | grep ${remote.port}\``,
    `Check that the network between here and ${remote.host} lets port ${remote.port} through: nc -vz ${remote.host} ${remote.port}`,
    `Or change the endpoint (${endpoint}) in ${SETTINGS}`,
  ];
}

function cliCheck(remote: Extract<Remote, { kind: 'tcp' }>, access: RemoteAccess | undefined) {
  const host = `tcp://${remote.host}:${remote.port}`;
  if (!remote.tls && !access?.certPath) return `docker -H ${host} version`;
  const dir = access?.certPath ?? '<folder>';
  return `docker --tlsverify --tlscacert=${dir}/ca.pem --tlscert=${dir}/cert.pem --tlskey=${dir}/key.pem -H ${host} version`;
}

function tlsFailure(
  code: string,
  text: string,
  remote: Extract<Remote, { kind: 'tcp' }>,
  endpoint: string,
  access: RemoteAccess | undefined,
): RemoteFailure {
  const fromEnv = access?.from === 'environment';
  const folder = access?.certPath;
  const setFolder = fromEnv
    ? "Set DOCKER_CERT_PATH to the folder with the engine's ca.pem, cert.pem and key.pem and restart aigo"
    : `Set the TLS certificate folder in ${SETTINGS} to the folder with the engine's ca.pem, cert.pem and key.pem (what DOCKER_CERT_PATH names)`;
  const check = cliCheck(remote, access);
  if (
    /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE/.test(
      code,
    )
  )
    return {
      status: 'error',
      message: `The engine at ${endpoint} presented a certificate aigo does not trust (${code}): ${folder ? `it was not signed by the CA in ${folder}/ca.pem` : 'it is signed by a private CA and no CA file was given'}.`,
      fix: [setFolder, check],
    };
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return {
      status: 'error',
      message: `The engine at ${endpoint} presented a certificate that is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'}.`,
      fix: [`Issue a new server certificate on ${remote.host} and restart its engine`, check],
    };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return {
      status: 'error',
      message: `The engine's certificate is not made out to ${remote.host}: ${text}.`,
      fix: [
        `Use the host name the certificate names in the endpoint, or reissue it with subjectAltName=${/^[\d.]+$/.test(remote.host) ? 'IP' : 'DNS'}:${remote.host}`,
      ],
    };
  if (
    /CERTIFICATE_REQUIRED|certificate required|bad certificate|unknown ca|handshake failure/i.test(
      `${code} ${text}`,
    )
  )
    return {
      status: 'permission_denied',
      message: `The engine at ${endpoint} asks for a client certificate and ${folder ? `refused the one offered from ${folder} (cert.pem and key.pem, signed by the engine's CA)` : 'none was offered'}.`,
      fix: [setFolder, check],
    };
  if (/wrong version number|packet length too long|EPROTO/i.test(`${code} ${text}`))
    return {
      status: 'error',
      message: `The engine at ${endpoint} does not speak TLS on port ${remote.port}.`,
      fix: [
        `Turn off "Verify TLS" and use tcp:// in ${SETTINGS}, or use the engine's TLS port (usually 2376)`,
        check,
      ],
    };
  if (!remote.tls && /ECONNRESET|socket hang up|HTTPS server/i.test(`${code} ${text}`))
    return {
      status: 'error',
      message: `The engine at ${endpoint} closed the connection to a plain-HTTP request: it most likely wants TLS.`,
      fix: [`Turn on "Verify TLS" in ${SETTINGS}`, setFolder],
    };
  return remoteRemedy('error', remote, endpoint, text);
}

function sshFailure(
  text: string,
  level: string | undefined,
  remote: Extract<Remote, { kind: 'ssh' }>,
): RemoteFailure {
  const login = sshCommand(remote);
  const where = `${remote.user ?? '(your user)'}@${remote.host}`;
  if (/verification failed/i.test(text)) {
    const verdict = lastHostKeyVerdict(remote.host, remote.port);
    const name = knownHostsName(remote.host, remote.port);
    if (verdict === 'changed' || verdict === 'revoked')
      return {
        status: 'error',
        message: `${remote.host}'s SSH host key ${verdict === 'revoked' ? 'is marked revoked' : 'has changed since it was recorded'} in ~/.ssh/known_hosts: a reinstalled server, or someone in between. aigo does not connect.`,
        fix: [
          "Confirm the server's new key fingerprint with whoever runs it",
          `ssh-keygen -R '${name}'`,
          `${login}  (check the fingerprint, answer yes)`,
        ],
      };
    return {
      status: 'error',
      message: `${remote.host}'s SSH host key is not in ~/.ssh/known_hosts, so aigo cannot tell it is the machine you trust.`,
      fix: [`${login}  (check the fingerprint, answer yes; aigo then trusts the same key)`],
    };
  }
  if (level === 'client-authentication' || /authentication methods failed/i.test(text))
    return {
      status: 'permission_denied',
      message: `${where} refused the SSH login: no key aigo offered was accepted.`,
      fix: [
        'ssh-add -l  (is your key loaded in the SSH agent?)',
        `ssh-copy-id${remote.port === 22 ? '' : ` -p ${remote.port}`} ${where}`,
        `Or set the SSH identity file in ${SETTINGS}`,
      ],
    };
  if (/socket hang up|ECONNRESET|Unable to exec|channel/i.test(text))
    return {
      status: 'error',
      message: `${remote.host} accepted the SSH login but \`docker system dial-stdio\` ended without answering: Docker is missing or stopped there, or ${remote.user ?? 'that user'} may not use it.`,
      fix: [
        `${login} docker version  (shows which)`,
        `${login} 'sudo systemctl start docker'`,
        `${login} 'sudo usermod -aG docker ${remote.user ?? '$USER'}'`,
      ],
    };
  return remoteRemedy('error', remote, `ssh://${where}`, text);
}

function sshReachFix(remote: Extract<Remote, { kind: 'ssh' }>): string[] {
  return [
    `${sshCommand(remote)} docker version`,
    `Check that ${remote.host} runs an SSH server on port ${remote.port} and the network lets it through: nc -vz ${remote.host} ${remote.port}`,
  ];
}

function sshCommand(remote: Extract<Remote, { kind: 'ssh' }>): string {
  const port = remote.port === 22 ? '' : `-p ${remote.port} `;
  return `ssh ${port}${remote.user ? `${remote.user}@` : ''}${remote.host}`;
}
