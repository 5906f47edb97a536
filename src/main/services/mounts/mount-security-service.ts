import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors';
import {
  DEFAULT_BLOCKED_PATTERNS,
  mountPolicySchema,
  mountRequestSchema,
  type MountPolicy,
  type MountRequest,
  type MountSecurityView,
  type MountVerdict,
} from '../../../shared/schemas/mounts';
import type { WarningCenter } from '../app/warnings';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import { JsonStore } from '../store/json-store';
import { expandHome, isBroadRoot, isInside, realPathOrNull } from './path-utils';
import { findBlockedComponent } from './patterns';
import { protectedPaths } from './protected-paths';
import { validateMount } from './validator';

export const MAIN_GROUP = 'main';
export const MOUNT_POLICY_FILE = 'mount-security.json';

/** Who asked: the user trying a path (a warning when refused) or an agent/group config (a violation). */
export type MountRequestSource = 'user' | 'agent' | 'config';

export interface BindMount {
  Type: 'bind';
  Source: string;
  Target: string;
  ReadOnly: boolean;
}

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

  protectedPaths(): Promise<string[]> {
    return protectedPaths(
      this.deps.dataDir,
      this.deps.home,
      this.deps.env,
      this.deps.runtimeSocket(),
    );
  }

  async view(): Promise<MountSecurityView> {
    const policy = this.policy();
    const home = (await realPathOrNull(this.deps.home).catch(() => null)) ?? this.deps.home;
    const roots = await Promise.all(
      policy.allowedRoots.map(async (root) => {
        const realPath = await realPathOrNull(expandHome(root.path, this.deps.home)).catch(
          () => null,
        );
        return {
          ...root,
          realPath,
          exists: realPath !== null,
          broad: realPath !== null && isBroadRoot(realPath, home, this.deps.caseInsensitive),
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

  /** Replaces the policy after checking every root; new broad roots need `confirmBroad`. */
  async update(input: MountPolicy & { confirmBroad?: boolean }): Promise<MountSecurityView> {
    const before = this.policy();
    const parsed = mountPolicySchema.parse(input);
    const patterns = [...DEFAULT_BLOCKED_PATTERNS, ...parsed.blockedPatterns];
    const guarded = await this.protectedPaths();
    const home = (await realPathOrNull(this.deps.home).catch(() => null)) ?? this.deps.home;
    const roots: MountPolicy['allowedRoots'] = [];
    const newBroad: string[] = [];
    for (const root of parsed.allowedRoots) {
      const path = expandHome(root.path, this.deps.home);
      if (!isAbsolute(path))
        throw new AppError(
          'INVALID_INPUT',
          `Allowed root must be an absolute path: "${root.path}".`,
          { path: root.path },
        );
      const blockedGiven = findBlockedComponent(path, patterns);
      if (blockedGiven)
        throw new AppError(
          'INVALID_INPUT',
          `Path contains blocked pattern "${blockedGiven.pattern}": "${root.path}" cannot be an allowed root.`,
          { path: root.path },
        );
      const wasThere = before.allowedRoots.some((r) => expandHome(r.path, this.deps.home) === path);
      const real = await realPathOrNull(path).catch(() => null);
      // A root that was already allowed may be missing for now (an unplugged drive): keep it,
      // so the rest of the policy can still change. Validation denies paths under it meanwhile.
      if (!real && wasThere) {
        if (!roots.some((r) => r.path === path)) roots.push({ ...root, path });
        continue;
      }
      if (!real)
        throw new AppError(
          'INVALID_INPUT',
          `Allowed root does not exist: "${root.path}". Check the spelling, or create the folder first.`,
          { path: root.path },
        );
      const blockedReal = findBlockedComponent(real, patterns);
      if (blockedReal) {
        throw new AppError(
          'INVALID_INPUT',
          `Path contains blocked pattern "${blockedReal.pattern}": "${root.path}" resolves to "${real}".`,
          { path: root.path },
        );
      }
      if (guarded.some((p) => isInside(real, p, this.deps.caseInsensitive))) {
        throw new AppError(
          'INVALID_INPUT',
          `"${root.path}" is inside aigo's data folder or a runtime socket and can never be an allowed root.`,
          { path: root.path },
        );
      }
      if (roots.some((r) => r.path === path)) continue;
      if (isBroadRoot(real, home, this.deps.caseInsensitive) && !wasThere) newBroad.push(path);
      roots.push({ ...root, path });
    }
    if (newBroad.length && !input.confirmBroad) {
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
    this.deps.audit.record({
      severity: 'info',
      category: 'mounts',
      message: newBroad.length
        ? `Mount security policy changed (broad root confirmed: ${newBroad.join(', ')})`
        : 'Mount security policy changed',
      details: { before, after },
    });
    this.deps.logger.info(
      { roots: after.allowedRoots.length, patterns: after.blockedPatterns.length },
      'Mount security policy changed',
    );
    const view = await this.view();
    this.deps.bus.emit('mountSecurity.changed', view);
    return view;
  }

  /** Checks one mount; refusals are audited (a warning for the user, a violation for agents). */
  async validate(request: MountRequest, source: MountRequestSource): Promise<MountVerdict> {
    const req = mountRequestSchema.parse(request);
    const verdict = await validateMount(req, {
      policy: this.policy(),
      patterns: this.patterns(),
      home: this.deps.home,
      protectedPaths: await this.protectedPaths(),
      isMain: req.group === MAIN_GROUP,
      caseInsensitive: this.deps.caseInsensitive,
      ...(this.deps.maskScan ? { maskScan: this.deps.maskScan } : {}),
    });
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
    requests: MountRequest[],
    source: MountRequestSource = 'config',
  ): Promise<{ mounts: BindMount[]; verdicts: MountVerdict[] }> {
    const verdicts: MountVerdict[] = [];
    for (const request of requests) verdicts.push(await this.validate(request, source));
    // A folder too large to check fully might hide a secret below what was scanned: an agent
    // never gets it. (The user's "Test a path" still shows the verdict, with a note.)
    for (const v of verdicts) {
      if (v.allowed && v.maskScanIncomplete) {
        v.allowed = false;
        v.code = 'too_large_to_check';
        v.reason = `Folder too large to check for secrets: "${v.realPath}" has more entries than aigo can scan before a container starts. Mount a smaller folder inside it.`;
        this.deps.audit.record({
          severity: 'warning',
          category: 'mounts',
          message: `Mount refused: ${v.reason}`,
          details: { hostPath: v.hostPath, code: v.code, source },
        });
      }
    }
    const refused = verdicts.filter((v) => !v.allowed);
    if (refused.length) {
      throw new AppError(
        'FORBIDDEN',
        `Mount refused at container start: ${refused.map((v) => v.reason).join(' ')}`,
        { verdicts: refused },
      );
    }
    const mounts: BindMount[] = [];
    for (const v of verdicts) {
      mounts.push({
        Type: 'bind',
        Source: v.realPath as string,
        Target: v.containerPath as string,
        ReadOnly: v.readonly,
      });
      for (const m of v.masked) {
        mounts.push({
          Type: 'bind',
          Source: m.kind === 'directory' ? this.placeholderDir : this.placeholderFile,
          Target: `${v.containerPath}/${m.path.split(/[\\/]/).join('/')}`,
          ReadOnly: true,
        });
      }
    }
    return { mounts, verdicts };
  }
}
