import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Host-key checking for `ssh://` engines the way OpenSSH does it, from the user's
 * `~/.ssh/known_hosts`: an engine reached over SSH runs containers with the user's folders,
 * so a host that cannot prove it is the one the user trusted is refused rather than accepted
 * on first sight (ssh2's default when no verifier is given).
 */

export type HostKeyVerdict = 'trusted' | 'unknown' | 'changed' | 'revoked';

/** What the last handshake with each `host:port` decided, so a failure can say why. */
const lastVerdicts = new Map<string, HostKeyVerdict>();

export function lastHostKeyVerdict(host: string, port: number): HostKeyVerdict | undefined {
  return lastVerdicts.get(`${host}:${port}`);
}

/** The name known_hosts files use: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function knownHostsVerifier(home: string, host: string, port: number) {
  return (keyBlob: Buffer): boolean => {
    const verdict = checkHostKey(readKnownHosts(home), knownHostsName(host, port), keyBlob);
    lastVerdicts.set(`${host}:${port}`, verdict);
    return verdict === 'trusted';
  };
}

function readKnownHosts(home: string): string {
  try {
    return readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8');
  } catch {
    return '';
  }
}

export function checkHostKey(knownHosts: string, name: string, keyBlob: Buffer): HostKeyVerdict {
  let sawName = false;
  let trusted = false;
  for (const raw of knownHosts.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]!.startsWith('@') ? fields.shift() : undefined;
    if (marker === '@cert-authority') continue;
    const [patterns, , key] = fields;
    if (!patterns || !key || !hostMatches(patterns, name)) continue;
    const sameKey = Buffer.from(key, 'base64').equals(keyBlob);
    if (marker === '@revoked') {
      if (sameKey) return 'revoked';
      continue;
    }
    sawName = true;
    if (sameKey) trusted = true;
  }
  if (trusted) return 'trusted';
  return sawName ? 'changed' : 'unknown';
}

function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}
