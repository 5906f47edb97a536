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
import { maskPlaceholders, preparePlaceholders, type MaskPlaceholders } from './mask-placeholders';
import { expandHome, isBroadRoot, realPathOrNull } from './path-utils';
import { checkPolicyInput, describePolicyChange, nestedRoots } from './policy-changes';
import { MovedRootReporter } from './moved-roots';
import { ResolvedPaths } from './resolved-paths';
import { resolveRoots, rootProblem } from './roots';
import { MountVerifier, type StartedContainer, type VerifyMethod } from './mount-verifier';
import { bindMounts, type BindMount, type ExpectedMount } from './mount-plan';
import { refuseUncheckable } from './start-refusals';
import { validateMount, type ValidatedMount } from './validator';

export type { BindMount, ExpectedMount } from './mount-plan';
export { MAX_MASKS_PER_MOUNT } from './start-refusals';

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
export class MountSecurityService {
  private readonly store: JsonStore<typeof mountPolicySchema>;
  private readonly resolved: ResolvedPaths;
  private readonly placeholders: MaskPlaceholders;
  private readonly movedRoots: MovedRootReporter;

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
    this.resolved = new ResolvedPaths(deps);
    this.placeholders = maskPlaceholders(deps.dataDir);
    this.movedRoots = new MovedRootReporter(deps);
  }

  async start(): Promise<void> {
    await this.store.load();
    await preparePlaceholders(this.placeholders);
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

  /** What no agent may see, resolved at most once a second (see resolved-paths.ts). */
  protectedPaths(): Promise<string[]> {
    return this.resolved.protectedPaths();
  }

  async view(): Promise<MountSecurityView> {
    const policy = this.policy();
    const home = await this.resolved.realHome();
    const roots = await Promise.all(
      policy.allowedRoots.map(async (root) => {
        const realPath = await realPathOrNull(expandHome(root.path, this.deps.home)).catch(
          () => null,
        );
        const problem = rootProblem(root, realPath);
        const needsReconfirm =
          realPath !== null && !!root.confirmedRealPath && root.confirmedRealPath !== realPath;
        if (needsReconfirm) this.movedRoots.report(root.path, root.confirmedRealPath, realPath);
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
        realHome: await this.resolved.realHome(),
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

  /**
   * Checks one mount; refusals are audited (a warning for the user, a violation for agents).
   * What a container gets (`config`, `agent`) is checked against the host as it is now; the
   * user's checks reuse what was resolved in the last second.
   */
  async validate(request: MountRequest, source: MountRequestSource): Promise<ValidatedMount> {
    const req = mountRequestSchema.parse(request);
    const fresh = source !== 'user';
    const guarded = await this.resolved.protectedPaths(fresh);
    const { policy, patterns } = this.current();
    const verdict = await validateMount(req, {
      policy,
      patterns,
      home: this.deps.home,
      protectedPaths: guarded,
      secretInodes: await this.resolved.secretInodes(guarded, fresh),
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
    refuseUncheckable(verdicts, source, this.deps.audit);
    const refused = verdicts.filter((v) => !v.allowed);
    if (refused.length) {
      throw new AppError(
        'FORBIDDEN',
        `Mount refused at container start: ${refused.map((v) => v.reason).join(' ')}`,
        { verdicts: refused.map(({ identity: _identity, ...v }) => v) },
      );
    }
    const { mounts, expected } = await bindMounts(verdicts, this.placeholders);
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
}
