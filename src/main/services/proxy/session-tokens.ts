import { randomBytes } from 'node:crypto';
import { tokensEqual } from '../../http/security';

/**
 * One random token per container session. The proxy serves only requests that carry a live
 * one, so a process that merely reaches the port cannot spend the user's keys.
 */
export interface Grant {
  session: string;
  /** The credential mappings this session may use; null allows every mapping. */
  mappings: string[] | null;
}

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
    for (const [known, entry] of this.live)
      if (tokensEqual(token, known)) return { session: entry.session, mappings: entry.mappings };
    return null;
  }

  revoke(token: string): void {
    this.live.delete(token);
  }

  revokeSession(session: string): void {
    for (const [token, entry] of this.live) if (entry.session === session) this.live.delete(token);
  }

  get size(): number {
    return this.live.size;
  }
}
