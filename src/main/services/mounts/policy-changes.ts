import { AppError } from '../../../shared/errors';
import { DEFAULT_BLOCKED_PATTERNS, type MountPolicy } from '../../../shared/schemas/mounts';
import { normaliseName } from './patterns';

/**
 * What a user probably did not mean, refused with the reason: a root listed twice, a pattern
 * that repeats a built-in one (or another of theirs), a pattern with wildcard syntax aigo does
 * not have (only `*` and `?` are wildcards).
 */
export function checkPolicyInput(
  policy: Pick<MountPolicy, 'allowedRoots' | 'blockedPatterns'>,
  before: Pick<MountPolicy, 'blockedPatterns'>,
): string[] {
  const refuse = (message: string, details: Record<string, unknown>): never => {
    throw new AppError('INVALID_INPUT', message, details);
  };
  const seen = new Set<string>();
  for (const root of policy.allowedRoots) {
    const key = root.path.replace(/\/+$/, '') || '/';
    if (seen.has(key))
      refuse(`"${root.path}" is listed twice as an allowed root: keep one.`, { path: root.path });
    seen.add(key);
  }
  const builtIn = new Set(DEFAULT_BLOCKED_PATTERNS.map((p) => normaliseName(p)));
  const own = new Set<string>();
  const kept: string[] = [];
  for (const pattern of policy.blockedPatterns) {
    const key = normaliseName(pattern);
    if (builtIn.has(key)) {
      // Saved before it became built-in: quietly dropped. Newly typed: said.
      if (before.blockedPatterns.includes(pattern)) continue;
      refuse(`"${pattern}" is a built-in pattern already: it is always on.`, { pattern });
    }
    if (own.has(key)) refuse(`"${pattern}" is in your patterns twice: keep one.`, { pattern });
    own.add(key);
    if (/[[\]{}]|\*\*/.test(pattern))
      refuse(
        `"${pattern}" uses wildcard syntax aigo does not have: only * (any characters) and ? (one character) are wildcards, e.g. *.pem or secret-?.txt.`,
        { pattern },
      );
    kept.push(pattern);
  }
  return kept;
}

/** The change in words, for the audit log ("added root …; pattern *.pem removed"). */
export function describePolicyChange(before: MountPolicy, after: MountPolicy): string[] {
  const out: string[] = [];
  const rootsBefore = new Map(before.allowedRoots.map((r) => [r.path, r]));
  const rootsAfter = new Map(after.allowedRoots.map((r) => [r.path, r]));
  for (const [path, r] of rootsAfter) {
    const was = rootsBefore.get(path);
    if (!was) out.push(`added root ${path} (${r.allowReadWrite ? 'read-write' : 'read-only'})`);
    else if (was.allowReadWrite !== r.allowReadWrite)
      out.push(`root ${path} now ${r.allowReadWrite ? 'read-write' : 'read-only'}`);
  }
  for (const path of rootsBefore.keys())
    if (!rootsAfter.has(path)) out.push(`removed root ${path}`);
  for (const p of after.blockedPatterns)
    if (!before.blockedPatterns.includes(p)) out.push(`added pattern ${p}`);
  for (const p of before.blockedPatterns)
    if (!after.blockedPatterns.includes(p)) out.push(`removed pattern ${p}`);
  if (before.nonMainReadOnly !== after.nonMainReadOnly)
    out.push(`read-only for groups other than main ${after.nonMainReadOnly ? 'on' : 'off'}`);
  if (before.exposeGitCredentials !== after.exposeGitCredentials)
    out.push(`git remote tokens ${after.exposeGitCredentials ? 'shown to' : 'hidden from'} agents`);
  return out;
}

/** Roots that lie inside another root: allowed (a sub-folder may be read-write), but said. */
export function nestedRoots(policy: MountPolicy): string[] {
  const paths = policy.allowedRoots.map((r) => r.path.replace(/\/+$/, ''));
  return paths.flatMap((p) => {
    const outer = paths.find((q) => q !== p && p.startsWith(`${q}/`));
    return outer ? [`${p} lies inside ${outer}`] : [];
  });
}
