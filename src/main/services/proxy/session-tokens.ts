import { randomBytes } from 'node:crypto';

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
 * Tokens are looked up in a hash table: a check hashes the presented string once (every
 * character, whatever it holds) and compares contents only with a token of the same hash, so
 * its time says nothing about how much of a real token a guess shares — as a table keyed by
 * each token's SHA-256 would, without a SHA-256 per request (3 µs of the proxy's ~130).
 */
export class SessionTokens {
  private readonly live = new Map<string, Grant & { issuedAt: number }>();

  issue(session: string, mappings: string[] | null = null): string {
    const token = randomBytes(24).toString('base64url');
    this.live.set(token, { session, mappings, issuedAt: Date.now() });
    return token;
  }

  /** What a token grants, or null when it is unknown or revoked. */
  check(token: string | undefined): Grant | null {
    if (!token) return null;
    const entry = this.live.get(token);
    return entry ? { session: entry.session, mappings: entry.mappings } : null;
  }

  revoke(token: string): void {
    this.live.delete(token);
  }

  revokeSession(session: string): void {
    for (const [key, entry] of this.live) if (entry.session === session) this.live.delete(key);
  }

  get size(): number {
    return this.live.size;
  }
}
