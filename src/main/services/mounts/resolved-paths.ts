import { realPathOrNull } from './path-utils';
import { protectedPaths } from './protected-paths';
import { collectSecretInodes, type SecretInodes } from './secret-inodes';

/** How long resolved protected paths and the real home folder are reused. */
const RESOLVE_TTL_MS = 1000;

export interface ResolvedPathsDeps {
  dataDir: string;
  home: string;
  env: NodeJS.ProcessEnv;
  runtimeSocket: () => string | null;
}

/**
 * What validation asks of the host on every check (protected paths, the identities of the
 * user's secret files, the real home folder), resolved at most once a second and reused.
 */
export class ResolvedPaths {
  private guardedCache: { socket: string | null; at: number; paths: Promise<string[]> } | null =
    null;
  private homeCache: { at: number; path: Promise<string> } | null = null;
  private secretsCache: {
    at: number;
    guarded: readonly string[];
    inodes: Promise<SecretInodes>;
  } | null = null;

  constructor(private readonly deps: ResolvedPathsDeps) {}

  /**
   * What no agent may see, resolved at most once a second (and at once when the runtime's
   * socket changes): resolving ten mostly absent socket paths on every validation cost more
   * than the validation itself. The paths themselves are always in the list; only the targets
   * of links among them can be up to a second old — unless `fresh` (a container start).
   */
  protectedPaths(fresh = false): Promise<string[]> {
    const socket = this.deps.runtimeSocket();
    const cached = this.guardedCache;
    if (!fresh && cached && cached.socket === socket && Date.now() - cached.at < RESOLVE_TTL_MS)
      return cached.paths;
    const paths = protectedPaths(this.deps.dataDir, this.deps.home, this.deps.env, socket);
    this.guardedCache = { socket, at: Date.now(), paths };
    paths.catch(() => (this.guardedCache = null));
    return paths;
  }

  /**
   * The identities of the user's secret files, collected at most once a second (and at once
   * when the protected paths change): walking twenty-odd home locations on every validation
   * cost more than the validation. A hard link made to a known key counts at once (it is the
   * same identity); a key created in the last second may not count yet — so a container start
   * asks `fresh`, and a key created just before it counts too.
   */
  secretInodes(guarded: readonly string[], fresh = false): Promise<SecretInodes> {
    const cached = this.secretsCache;
    if (!fresh && cached && cached.guarded === guarded && Date.now() - cached.at < RESOLVE_TTL_MS)
      return cached.inodes;
    const inodes = collectSecretInodes(this.deps.home, guarded);
    this.secretsCache = { at: Date.now(), guarded, inodes };
    inodes.catch(() => (this.secretsCache = null));
    return inodes;
  }

  realHome(): Promise<string> {
    if (this.homeCache && Date.now() - this.homeCache.at < RESOLVE_TTL_MS)
      return this.homeCache.path;
    const path = realPathOrNull(this.deps.home)
      .catch(() => null)
      .then((real) => real ?? this.deps.home);
    this.homeCache = { at: Date.now(), path };
    return path;
  }
}
