import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors';
import {
  DEFAULT_BLOCKED_PATTERNS,
  mountPolicySchema,
  mountPolicyUpdateSchema,
  mountRequestSchema,
  type MountPolicy,
  type MountPolicyInput,
  type MountRequest,
  type MountSecurityView,
} from '../../../shared/schemas/mounts';
import type { WarningCenter } from '../app/warnings';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import { JsonStore } from '../store/json-store';
import { expandHome, isBroadRoot, realPathOrNull } from './path-utils';
import { protectedPaths } from './protected-paths';
import { checkPolicyInput, describePolicyChange, nestedRoots } from './policy-changes';
import { resolveRoots, rootProblem } from './roots';
import { collectSecretInodes, type SecretInodes } from './secret-inodes';
import { MountVerifier, type StartedContainer, type VerifyMethod } from './mount-verifier';
import { bindMounts, type BindMount, type ExpectedMount } from './mount-plan';
import { validateMount, type ValidatedMount } from './validator';

export type { BindMount, ExpectedMount } from './mount-plan';

/** More masks than this in one mount and a container start is refused (mount a smaller folder). */
export const MAX_MASKS_PER_MOUNT = 1000;

export const MAIN_GROUP = 'main';
export const MOUNT_POLICY_FILE = 'mount-security.json';

/** Who asked: the user trying a path (a warning when refused) or an agent/group config (a violation). */
export type MountRequestSource = 'user' | 'agent' | 'config';

export interface MountSecurityDeps {
  dataDir: string;
  home: string;
  env: NodeJS.ProcessEnv;
  caseInsensitive: boolean;
  maskScan?: { maxEntries?: number; timeBudgetMs?: number };
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  warnings: WarningCenter;
  runtimeSocket: () => string | null;
}

/** Deny-by-default policy for every folder an agent container sees; changes apply at once. */
/** How long resolved protected paths and the real home folder are reused. */
const RESOLVE_TTL_MS = 1000;

export class MountSecurityService {
  private readonly store: JsonStore<typeof mountPolicySchema>;
  private guardedCache: { socket: string | null; at: number; paths: Promise<string[]> } | null =
    null;
  private homeCache: { at: number; path: Promise<string> } | null = null;
  private secretsCache: {
    at: number;
    guarded: readonly string[];
    inodes: Promise<SecretInodes>;
  } | null = null;
  private readonly placeholderDir: string;
  private readonly placeholderFile: string;

  constructor(private readonly deps: MountSecurityDeps) {
    this.store = new JsonStore({
      path: join(deps.dataDir, MOUNT_POLICY_FILE),
      schema: mountPolicySchema,
      defaults: () => mountPolicySchema.parse({}),
      label: 'The mount security policy',
      warningCode: 'MOUNT_POLICY_CORRUPT',
      logger: deps.logger,
      warnings: deps.warnings,
    });
    this.placeholderDir = join(deps.dataDir, 'mask', 'empty-dir');
    this.placeholderFile = join(deps.dataDir, 'mask', 'empty-file');
  }

  async start(): Promise<void> {
    await this.store.load();
    // Empty, read-only stand-ins mounted over every masked entry.
    await mkdir(this.placeholderDir, { recursive: true });
    const file = await stat(this.placeholderFile).catch(() => null);
    if (!file || file.size > 0) {
      if (file) await chmod(this.placeholderFile, 0o600);
      await writeFile(this.placeholderFile, '');
    }
    await chmod(this.placeholderDir, 0o555);
    await chmod(this.placeholderFile, 0o444);
    await this.pinLegacyRoots();
    await this.view(); // reports roots that moved while aigo was not running
  }

  /** Policies saved before roots were pinned: pin each to where it is now. */
  private async pinLegacyRoots(): Promise<void> {
    const policy = this.policy();
    if (policy.allowedRoots.every((r) => r.confirmedRealPath)) return;
    const roots = await Promise.all(
      policy.allowedRoots.map(async (root) => ({
        ...root,
        confirmedRealPath:
          root.confirmedRealPath ??
          (await realPathOrNull(expandHome(root.path, this.deps.home)).catch(() => null)),
      })),
    );
    await this.store.replace({ ...policy, allowedRoots: roots });
  }

  stop(): Promise<void> {
    return this.store.flush();
  }

  policy(): MountPolicy {
    return this.store.get();
  }

  patterns(): string[] {
    return [...DEFAULT_BLOCKED_PATTERNS, ...this.policy().blockedPatterns];
  }

  private patternsCache: { policy: Readonly<MountPolicy>; patterns: readonly string[] } | null =
    null;

  /** The policy as stored (frozen, not copied) and its patterns, for validation. */
  private current(): { policy: Readonly<MountPolicy>; patterns: readonly string[] } {
    const policy = this.store.snapshot();
    if (this.patternsCache?.policy !== policy)
      this.patternsCache = {
        policy,
        patterns: [...DEFAULT_BLOCKED_PATTERNS, ...policy.blockedPatterns],
      };
    return this.patternsCache;
  }

  /**
   * What no agent may see, resolved at most once a second (and at once when the runtime's
   * socket changes): resolving ten mostly absent socket paths on every validation cost more
   * than the validation itself. The paths themselves are always in the list; only the targets
   * of links among them can be up to a second old.
   */
  protectedPaths(): Promise<string[]> {
    const socket = this.deps.runtimeSocket();
    const cached = this.guardedCache;
    if (cached && cached.socket === socket && Date.now() - cached.at < RESOLVE_TTL_MS)
      return cached.paths;
    const paths = protectedPaths(this.deps.dataDir, this.deps.home, this.deps.env, socket);
    this.guardedCache = { socket, at: Date.now(), paths };
    paths.catch(() => (this.guardedCache = null));
    return paths;
  }

  async view(): Promise<MountSecurityView> {
    const policy = this.policy();
    const home = await this.realHome();
    const roots = await Promise.all(
      policy.allowedRoots.map(async (root) => {
        const realPath = await realPathOrNull(expandHome(root.path, this.deps.home)).catch(
          () => null,
        );
        const problem = rootProblem(root, realPath);
        const needsReconfirm =
          realPath !== null && !!root.confirmedRealPath && root.confirmedRealPath !== realPath;
        if (needsReconfirm) this.reportMovedRoot(root.path, root.confirmedRealPath, realPath);
        return {
          ...root,
          realPath,
          exists: realPath !== null,
          broad: realPath !== null && isBroadRoot(realPath, home, this.deps.caseInsensitive),
          problem,
          needsReconfirm,
        };
      }),
    );
    return {
      policy,
      roots,
      defaultBlockedPatterns: [...DEFAULT_BLOCKED_PATTERNS],
      protectedPaths: await this.protectedPaths(),
    };
  }

  private readonly reportedMoves = new Set<string>();

  /** A root that moved is audited once per new location, and stays a warning until fixed. */
  private reportMovedRoot(path: string, was: string | null, now: string): void {
    const key = `${path}\0${now}`;
    if (this.reportedMoves.has(key)) return;
    this.reportedMoves.add(key);
    const message = `Allowed root "${path}" now resolves to "${now}" (it was "${was}" when you allowed it). It admits nothing until you re-confirm it in Settings > Container > Mount Security.`;
    this.deps.audit.record({
      severity: 'warning',
      category: 'mounts',
      message,
      details: { root: path, was, now },
    });
    this.deps.warnings.add('MOUNT_ROOT_MOVED', message, { root: path });
  }

  /**
   * The identities of the user's secret files, collected at most once a second (and at once
   * when the protected paths change): walking twenty-odd home locations on every validation
   * cost more than the validation. A hard link made to a known key counts at once (it is the
   * same identity); a key created in the last second may not count yet.
   */
  private secretInodes(guarded: readonly string[]): Promise<SecretInodes> {
    const cached = this.secretsCache;
    if (cached && cached.guarded === guarded && Date.now() - cached.at < RESOLVE_TTL_MS)
      return cached.inodes;
    const inodes = collectSecretInodes(this.deps.home, guarded);
    this.secretsCache = { at: Date.now(), guarded, inodes };
    inodes.catch(() => (this.secretsCache = null));
    return inodes;
  }

  private realHome(): Promise<string> {
    if (this.homeCache && Date.now() - this.homeCache.at < RESOLVE_TTL_MS)
      return this.homeCache.path;
    const path = realPathOrNull(this.deps.home)
      .catch(() => null)
      .then((real) => real ?? this.deps.home);
    this.homeCache = { at: Date.now(), path };
    return path;
  }

  /**
   * Replaces the policy after checking every root; new broad roots need `confirmBroad`, and a
   * root that moved keeps admitting nothing unless it is listed in `reconfirmRoots`.
   */
  async update(input: MountPolicyInput): Promise<MountSecurityView> {
    const before = this.policy();
    const { confirmBroad, reconfirmRoots, ...parsed } = mountPolicyUpdateSchema.parse(input);
    parsed.blockedPatterns = checkPolicyInput(parsed, before);
    const { roots, newBroad, reconfirmed } = await resolveRoots(
      parsed.allowedRoots,
      before.allowedRoots,
      {
        home: this.deps.home,
        realHome: await this.realHome(),
        patterns: [...DEFAULT_BLOCKED_PATTERNS, ...parsed.blockedPatterns],
        guarded: await this.protectedPaths(),
        caseInsensitive: this.deps.caseInsensitive,
        reconfirm: new Set(reconfirmRoots),
      },
    );
    if (newBroad.length && !confirmBroad) {
      throw new AppError(
        'CONFLICT',
        `${newBroad.map((p) => `"${p}"`).join(', ')} ${newBroad.length === 1 ? 'is a broad root' : 'are broad roots'} (the whole disk, your home folder, or a folder containing it): every agent could see everything below it. Be specific — add only the folders agents need, or confirm to add it anyway.`,
        { broadRoots: newBroad, needsConfirmation: true },
      );
    }
    const after = await this.store.replace({
      ...parsed,
      allowedRoots: roots,
      blockedPatterns: [...new Set(parsed.blockedPatterns)],
    });
    const notes = [
      ...describePolicyChange(before, after),
      newBroad.length ? `broad root confirmed: ${newBroad.join(', ')}` : '',
      ...reconfirmed.map((r) => `root ${r.path} re-confirmed at ${r.now} (was ${r.was})`),
      ...nestedRoots(after).map((n) => `note: ${n}`),
    ].filter(Boolean);
    this.deps.audit.record({
      severity: 'info',
      category: 'mounts',
      message: `Mount security policy changed${notes.length ? ` (${notes.join('; ')})` : ''}`,
      details: { before, after },
    });
    if (reconfirmed.length) this.deps.warnings.resolve('MOUNT_ROOT_MOVED');
    this.deps.logger.info(
      { roots: after.allowedRoots.length, patterns: after.blockedPatterns.length },
      'Mount security policy changed',
    );
    const view = await this.view();
    this.deps.bus.emit('mountSecurity.changed', view);
    return view;
  }

  /** Checks one mount; refusals are audited (a warning for the user, a violation for agents). */
  async validate(request: MountRequest, source: MountRequestSource): Promise<ValidatedMount> {
    const req = mountRequestSchema.parse(request);
    const guarded = await this.protectedPaths();
    const { policy, patterns } = this.current();
    const verdict = await validateMount(req, {
      policy,
      patterns,
      home: this.deps.home,
      protectedPaths: guarded,
      secretInodes: await this.secretInodes(guarded),
      isMain: req.group === MAIN_GROUP,
      caseInsensitive: this.deps.caseInsensitive,
      ...(this.deps.maskScan ? { maskScan: this.deps.maskScan } : {}),
    });
    // Debug Logging: each decision and the rule that made it.
    this.deps.logger.debug(
      {
        hostPath: req.hostPath,
        group: req.group,
        source,
        allowed: verdict.allowed,
        rule: verdict.code,
        root: verdict.root,
        masked: verdict.masked.length,
      },
      'Mount decision',
    );
    if (!verdict.allowed) {
      this.deps.audit.record({
        severity: source === 'user' ? 'warning' : 'violation',
        category: 'mounts',
        group: req.group,
        message: `Mount refused: ${verdict.reason}`,
        details: { hostPath: req.hostPath, realPath: verdict.realPath, code: verdict.code, source },
      });
    }
    return verdict;
  }

  /**
   * What a container start mounts: every request validated again now (a symlink swapped since
   * it was configured must not win), the real path as the source, and an empty read-only
   * placeholder over each masked entry.
   */
  async prepareMounts(
    requests: (MountRequest & { mountAt?: string })[],
    source: MountRequestSource = 'config',
  ): Promise<{ mounts: BindMount[]; verdicts: ValidatedMount[]; expected: ExpectedMount[] }> {
    const verdicts: ValidatedMount[] = [];
    for (const { mountAt, ...request } of requests) {
      const verdict = await this.validate(request, source);
      // A group's workspace goes to /workspace itself rather than under /workspace/extra/.
      if (verdict.allowed && mountAt) verdict.containerPath = mountAt;
      verdicts.push(verdict);
    }
    // A folder too large to check fully might hide a secret below what was scanned: an agent
    // never gets it. (The user's "Test a path" still shows the verdict, with a note.)
    for (const v of verdicts) {
      if (!v.allowed) continue;
      if (v.maskScanIncomplete)
        this.refuseAtStart(
          v,
          'too_large_to_check',
          `Folder too large to check for secrets: "${v.realPath}" has more entries than aigo can scan before a container starts. Mount a smaller folder inside it.`,
          source,
        );
      else if (v.masked.length > MAX_MASKS_PER_MOUNT)
        this.refuseAtStart(
          v,
          'too_many_masks',
          `Too many sensitive entries to hide: "${v.realPath}" has ${v.masked.length} (sockets, keys, secret files), more than the ${MAX_MASKS_PER_MOUNT} aigo hides in one mount. Mount a smaller folder inside it.`,
          source,
        );
    }
    const refused = verdicts.filter((v) => !v.allowed);
    if (refused.length) {
      throw new AppError(
        'FORBIDDEN',
        `Mount refused at container start: ${refused.map((v) => v.reason).join(' ')}`,
        { verdicts: refused.map(({ identity: _identity, ...v }) => v) },
      );
    }
    const { mounts, expected } = await bindMounts(verdicts, {
      directory: this.placeholderDir,
      file: this.placeholderFile,
    });
    return { mounts, verdicts, expected };
  }

  /**
   * Call right after a container with `prepareMounts` mounts started, before the agent gets its
   * task: stops it (a `violation`) if any mount is not the file that was validated.
   */
  verifyStarted(
    container: StartedContainer,
    expected: readonly ExpectedMount[],
    context: { group?: string; session?: string },
    stop: () => Promise<void>,
  ): Promise<VerifyMethod> {
    return new MountVerifier({ audit: this.deps.audit }).verify(container, expected, context, stop);
  }

  private refuseAtStart(
    v: ValidatedMount,
    code: string,
    reason: string,
    source: MountRequestSource,
  ): void {
    v.allowed = false;
    v.code = code;
    v.reason = reason;
    this.deps.audit.record({
      severity: 'warning',
      category: 'mounts',
      message: `Mount refused: ${reason}`,
      details: { hostPath: v.hostPath, code, source },
    });
  }
}
