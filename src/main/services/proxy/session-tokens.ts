import { randomBytes } from 'node:crypto';
import { tokensEqual } from '../../http/security';

/**
 * One random token per container session. The proxy serves only requests that carry a live
 * one, so a process that merely reaches the port cannot spend the user's keys.
 */
export class SessionTokens {
  private readonly live = new Map<string, { session: string; issuedAt: number }>();

  issue(session: string): string {
    const token = randomBytes(24).toString('base64url');
    this.live.set(token, { session, issuedAt: Date.now() });
    return token;
  }

  /** The session a token belongs to, or null when it is unknown or revoked. */
  check(token: string | undefined): string | null {
    if (!token) return null;
    for (const [known, entry] of this.live) if (tokensEqual(token, known)) return entry.session;
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
