import { hash, randomBytes } from 'node:crypto';

/**
 * One random token per container session. The proxy serves only requests that carry a live
 * one, so a process that merely reaches the port cannot spend the user's keys.
 */
export interface Grant {
  session: string;
  /** The credential mappings this session may use; null allows every mapping. */
  mappings: string[] | null;
}

/**
 * Tokens are kept by their SHA-256: a check hashes the presented token once and looks it up, so
 * its time depends on the hash, never on how much of a real token the guess shares.
 */
const digest = (token: string) => hash('sha256', token, 'base64');

export class SessionTokens {
  private readonly live = new Map<string, Grant & { issuedAt: number }>();

  issue(session: string, mappings: string[] | null = null): string {
    const token = randomBytes(24).toString('base64url');
    this.live.set(digest(token), { session, mappings, issuedAt: Date.now() });
    return token;
  }

  /** What a token grants, or null when it is unknown or revoked. */
  check(token: string | undefined): Grant | null {
    if (!token) return null;
    const entry = this.live.get(digest(token));
    return entry ? { session: entry.session, mappings: entry.mappings } : null;
  }

  revoke(token: string): void {
    this.live.delete(digest(token));
  }

  revokeSession(session: string): void {
    for (const [key, entry] of this.live) if (entry.session === session) this.live.delete(key);
  }

  get size(): number {
    return this.live.size;
  }
}
