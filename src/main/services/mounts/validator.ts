import { statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import type { MountPolicy, MountVerdict } from '../../../shared/schemas/mounts';
import { containerPathProblem, CONTROL, defaultContainerName } from './container-path';
import { scanForMasks } from './mask-scan';
import { expandHome, isInside, realPathOrNullSync } from './path-utils';
import { findBlockedComponent } from './patterns';
import { findRoot } from './root-match';
import { inodeKey, type SecretInodes } from './secret-inodes';

export { containerPathProblem, defaultContainerName } from './container-path';

export const CONTAINER_EXTRA_DIR = '/workspace/extra';

export interface ValidationContext {
  policy: Readonly<MountPolicy>;
  /** Defaults plus the user's own. */
  patterns: readonly string[];
  home: string;
  /** Real paths that may never be mounted or seen: the data folder, runtime sockets. */
  protectedPaths: readonly string[];
  isMain: boolean;
  caseInsensitive: boolean;
  /** Files in the user's secret locations: a hard link to one is never mounted. */
  secretInodes?: SecretInodes;
  /** Bounds of the scan for entries to mask (tests make them small). */
  maskScan?: { maxEntries?: number; timeBudgetMs?: number };
}

/** What the validator saw: a container start checks the mounted source is still this file. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

export type ValidatedMount = MountVerdict & { identity?: FileIdentity };

export interface ValidationInput {
  hostPath: string;
  containerPath?: string | undefined;
  readonly: boolean;
}

const FIX_BLOCKED = [
  'Use a different path that does not contain sensitive directory names',
  'or copy only the necessary files to an approved location',
];
const FIX_NOT_UNDER_ROOT = [
  'Go to Settings > Container > Mount Security',
  'Add the parent directory of the path you want to use as an allowed root',
  'Be specific — avoid adding broad roots like your home directory',
];

/**
 * Decides whether a host path may be mounted into an agent container: deny by default, every
 * symlink resolved before any check, blocked patterns on every component of both the given
 * and the real path, component-wise containment in a real-pathed allowed root.
 */
export async function validateMount(
  input: ValidationInput,
  ctx: ValidationContext,
): Promise<ValidatedMount> {
  const deny = (
    code: string,
    reason: string,
    fix: string[],
    realPath: string | null = null,
  ): MountVerdict => ({
    allowed: false,
    reason,
    code,
    hostPath: input.hostPath,
    realPath,
    containerPath: null,
    readonly: true,
    masked: [],
    maskScanIncomplete: false,
    root: null,
    fix,
  });
  const raw = input.hostPath;
  if (raw.trim() === '')
    return deny('invalid_path', 'Path is empty: enter the full path of a folder.', []);
  if (CONTROL.test(raw)) {
    return deny(
      'invalid_path',
      'Path contains control characters (such as a newline), which aigo never mounts.',
      ['Rename the folder, or pick another one'],
    );
  }
  if (raw.startsWith('~') && !/^~($|[\\/])/.test(raw)) {
    return deny(
      'invalid_path',
      `Path "${raw}" names another user's home folder; use the full path instead.`,
      [],
    );
  }
  const expanded = expandHome(raw, ctx.home);
  if (!isAbsolute(expanded)) {
    return deny('relative_path', `Host path must be absolute: "${raw}" is relative.`, [
      `Use the full path, e.g. ${ctx.home}${sep}projects${sep}${basename(raw) || 'folder'}`,
    ]);
  }

  const asGiven = findBlockedComponent(expanded, ctx.patterns);
  if (asGiven)
    return deny(
      'blocked_pattern',
      `Path contains blocked pattern "${asGiven.pattern}" ("${asGiven.component}").`,
      FIX_BLOCKED,
    );

  let real: string | null;
  try {
    real = realPathOrNullSync(expanded);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      return deny('symlink_loop', `Path "${raw}" is a symlink loop.`, [
        'Use the canonical (real) path, not a symlink',
      ]);
    return deny('no_access', `Cannot resolve "${raw}": ${code ?? (error as Error).message}.`, [
      'Check that aigo can read the folder',
    ]);
  }
  if (real === null)
    return deny('not_found', `Path does not exist: "${raw}".`, [
      'Check the spelling, or create the folder first',
    ]);

  const viaLink = real !== resolve(expanded);
  const blocked = findBlockedComponent(real, ctx.patterns);
  if (blocked) {
    const reason = viaLink
      ? `Path contains blocked pattern "${blocked.pattern}": "${raw}" resolves to "${real}", which contains blocked pattern "${blocked.pattern}".`
      : `Path contains blocked pattern ${describeMatch(blocked)}.`;
    return deny(
      'blocked_pattern',
      reason,
      viaLink ? ['Use the canonical (real) path, not a symlink', ...FIX_BLOCKED] : FIX_BLOCKED,
      real,
    );
  }

  const guarded = ctx.protectedPaths.find((p) => isInside(real, p, ctx.caseInsensitive));
  if (guarded) {
    return deny(
      'protected',
      `Path is inside "${guarded}", which belongs to aigo or the container runtime and is never mounted.`,
      ["Choose a folder outside aigo's data folder"],
      real,
    );
  }
  const info = statSync(real);
  if (!info.isDirectory() && !info.isFile()) {
    return deny(
      'not_mountable',
      `Path "${real}" is neither a folder nor a regular file (sockets and devices are never mounted).`,
      [],
      real,
    );
  }

  if (info.isFile()) {
    const linkedTo = ctx.secretInodes?.get(inodeKey(info.dev, info.ino));
    if (linkedTo)
      return deny(
        'hard_link_to_secret',
        `"${raw}" is a hard link to ${linkedTo}: the same file as a secret under another name, which aigo never mounts.`,
        ['Copy only what the agent needs into a new file instead of linking it'],
        real,
      );
  }

  const { root, changed } = findRoot(real, ctx);
  if (!root && changed) {
    return deny(
      'root_changed',
      `Allowed root "${changed.path}" now resolves to "${changed.now}" (it was "${changed.was}" when you allowed it), so it admits nothing until you confirm it again.`,
      [
        'Go to Settings > Container > Mount Security and re-confirm the root if the new location is right',
        'Otherwise point the symlink back, or remove the root',
      ],
      real,
    );
  }
  if (!root) {
    const where = viaLink ? `"${raw}" resolves to "${real}", which is` : `"${real}" is`;
    return deny(
      'not_under_root',
      `Path not under any allowed root: ${where} not inside any folder allowed in Settings > Container > Mount Security.`,
      FIX_NOT_UNDER_ROOT,
      real,
    );
  }

  // The name the user knows (a symlink's own name), not where it happens to point.
  const name = input.containerPath ?? defaultContainerName(resolve(expanded));
  const nameProblem = containerPathProblem(name);
  if (nameProblem)
    return deny(
      'invalid_container_path',
      `Container path "${name}" ${nameProblem}.`,
      ['Use a plain relative name such as "project" or "data/notes"'],
      real,
    );

  const notes: string[] = [];
  let readonly = input.readonly;
  if (!readonly) {
    if (!root.allowReadWrite)
      notes.push(`Mounted read-only: the allowed root "${root.path}" does not allow read-write.`);
    else if (!ctx.isMain && ctx.policy.nonMainReadOnly)
      notes.push(
        'Mounted read-only: agents outside the main group get read-only mounts (Settings > Container > Mount Security).',
      );
    readonly = notes.length > 0;
  }

  const scan = info.isDirectory()
    ? await scanForMasks(real, {
        patterns: ctx.patterns,
        protectedPaths: ctx.protectedPaths,
        exposeGitCredentials: ctx.policy.exposeGitCredentials,
        ...(ctx.secretInodes ? { secretInodes: ctx.secretInodes } : {}),
        ...ctx.maskScan,
      })
    : { masked: [], incomplete: false, unreadable: [], gitCredentials: [], undecodable: [] };
  if (scan.undecodable.length) {
    const shown = scan.undecodable.slice(0, 3).map((p) => `"${p}"`);
    return deny(
      'undecodable_name',
      `${shown.join(', ')}${scan.undecodable.length > 3 ? ' and more' : ''} inside "${real}" ${scan.undecodable.length === 1 ? 'holds' : 'hold'} a name that is not valid UTF-8, which aigo cannot hide exactly — a secret inside or behind it could stay visible to the agent.`,
      [
        `Rename the entry to a valid UTF-8 name (ls -b "${join(real, scan.undecodable[0] as string)}" shows it), then test the path again`,
        'or mount a folder beside it instead',
      ],
      real,
    );
  }
  if (scan.unreadable.length) {
    const shown = scan.unreadable.slice(0, 3).map((p) => `"${p}"`);
    return deny(
      'unreadable_entry',
      `aigo cannot read ${shown.join(', ')}${scan.unreadable.length > 3 ? ' and more' : ''} inside "${real}", so it cannot check for secrets there — and an agent that knows a file name might still read it.`,
      [
        `Make it readable for your user (chmod u+rx "${join(real, scan.unreadable[0] as string)}"), so aigo can check it`,
        'or move it out of the folder, or mount a folder beside it instead',
      ],
      real,
    );
  }
  if (scan.gitCredentials.length)
    notes.push(
      ctx.policy.exposeGitCredentials
        ? `${scan.gitCredentials.map((p) => `"${p}"`).join(', ')} has a token in a git remote URL, and it is visible to the agent because you allowed git credentials.`
        : `${scan.gitCredentials.map((p) => `"${p}"`).join(', ')} has a token in a git remote URL: it is hidden from the agent. Remove the token (git remote set-url origin <url without it>) and use a credential helper, or allow git credentials in Settings > Container > Mount Security.`,
    );
  if (scan.masked.length)
    notes.push(
      `${scan.masked.length} sensitive ${scan.masked.length === 1 ? 'entry is' : 'entries are'} hidden from the agent.`,
    );
  if (scan.incomplete)
    notes.push(
      'The folder is very large: only part of it was scanned for sensitive files. Mount a smaller folder to be sure.',
    );

  return {
    allowed: true,
    reason: notes.length ? notes.join(' ') : 'Allowed.',
    code: 'allowed',
    hostPath: raw,
    realPath: real,
    containerPath: `${CONTAINER_EXTRA_DIR}/${name}`,
    readonly,
    masked: scan.masked,
    maskScanIncomplete: scan.incomplete,
    root: root.path,
    fix: [],
    identity: { dev: info.dev, ino: info.ino },
  };
}

/** `".env"`, or `".env" (in ".env.local")` when a variant matched. */
function describeMatch(match: { pattern: string; component: string }): string {
  return match.component === match.pattern
    ? `"${match.pattern}"`
    : `"${match.pattern}" (in "${match.component}")`;
}
