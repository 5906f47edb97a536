import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import type { ParsedEndpoint, RemoteAccess } from './candidates';
import { knownHostsVerifier } from './ssh-known-hosts';

/**
 * The client options for a remote engine, set up the way the Docker CLI would: TLS material
 * from a DOCKER_CERT_PATH-style folder, or an SSH login with the agent and the usual keys and
 * the host key checked against known_hosts. A setup problem (a missing file, an encrypted key
 * and no agent) comes back as a sentence that names the file and the fix.
 */
export type RemoteSetup = { ok: true; options: DockerOptions } | { ok: false; problem: string };

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export async function remoteClientOptions(
  parsed: Extract<ParsedEndpoint, { kind: 'tcp' | 'ssh' }>,
  access: RemoteAccess | undefined,
  home: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number | null,
): Promise<RemoteSetup> {
  return parsed.kind === 'tcp'
    ? tlsOptions(parsed, access)
    : sshOptions(parsed, access, home, env, timeoutMs);
}

async function tlsOptions(
  parsed: Extract<ParsedEndpoint, { kind: 'tcp' }>,
  access: RemoteAccess | undefined,
): Promise<RemoteSetup> {
  const base = { host: parsed.host, port: parsed.port };
  const certPath = access?.certPath ?? null;
  if (!parsed.tls && !certPath) return { ok: true, options: { ...base, protocol: 'http' } };
  if (!certPath) return { ok: true, options: { ...base, protocol: 'https' } };
  const where = access?.from === 'environment' ? 'DOCKER_CERT_PATH' : 'the TLS certificate folder';
  const ca = await readOptional(join(certPath, 'ca.pem'));
  if (!ca)
    return {
      ok: false,
      problem: `${join(certPath, 'ca.pem')} cannot be read: ${where} must hold the CA that signed the engine's certificate as ca.pem (with cert.pem and key.pem when the engine asks for a client certificate).`,
    };
  const [cert, key] = await Promise.all([
    readOptional(join(certPath, 'cert.pem')),
    readOptional(join(certPath, 'key.pem')),
  ]);
  if (Boolean(cert) !== Boolean(key))
    return {
      ok: false,
      problem: `${where} ${certPath} holds ${cert ? 'cert.pem but no key.pem' : 'key.pem but no cert.pem'}: a client certificate needs both.`,
    };
  return {
    ok: true,
    options: { ...base, protocol: 'https', ca, ...(cert && key ? { cert, key } : {}) },
  };
}

async function sshOptions(
  parsed: Extract<ParsedEndpoint, { kind: 'ssh' }>,
  access: RemoteAccess | undefined,
  home: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number | null,
): Promise<RemoteSetup> {
  const agent = env.SSH_AUTH_SOCK || undefined;
  const key = await sshKey(access?.sshIdentityFile ?? null, home, Boolean(agent));
  if (typeof key === 'string') return { ok: false, problem: key };
  if (!key && !agent)
    return {
      ok: false,
      problem: `No SSH key to offer ${parsed.host}: no SSH agent is running (SSH_AUTH_SOCK is not set) and none of ~/.ssh/${DEFAULT_KEYS.join(', ~/.ssh/')} is a key without a passphrase.`,
    };
  return {
    ok: true,
    options: {
      protocol: 'ssh',
      host: parsed.host,
      port: parsed.port,
      username: parsed.user ?? env.USER ?? userInfo().username,
      sshOptions: {
        ...(agent ? { agent } : {}),
        ...(key ? { privateKey: key } : {}),
        hostVerifier: knownHostsVerifier(home, parsed.host, parsed.port),
        readyTimeout: timeoutMs ?? 20_000,
      },
    } as DockerOptions,
  };
}

/**
 * The key to offer: the chosen file, else the first of ssh's default keys that needs no
 * passphrase. A string is a problem to report; null means "only the agent".
 */
async function sshKey(
  chosen: string | null,
  home: string,
  hasAgent: boolean,
): Promise<Buffer | string | null> {
  // ssh2 is loaded only for ssh:// endpoints: most starts never need it (about 40 ms).
  const { parseKey } = (await import('ssh2')).default.utils;
  if (chosen) {
    const text = await readOptional(chosen);
    if (!text) return `The SSH identity file ${chosen} cannot be read.`;
    const parsed = parseKey(text);
    if (!(parsed instanceof Error)) return text;
    if (/passphrase/i.test(parsed.message))
      return hasAgent
        ? null
        : `The SSH identity file ${chosen} is protected by a passphrase, which aigo does not ask for: load it into an SSH agent with \`ssh-add ${chosen}\`.`;
    return `The SSH identity file ${chosen} is not a private key aigo can use: ${parsed.message}.`;
  }
  for (const name of DEFAULT_KEYS) {
    const text = await readOptional(join(home, '.ssh', name));
    if (text && !(parseKey(text) instanceof Error)) return text;
  }
  return null;
}

async function readOptional(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch {
    return null;
  }
}
