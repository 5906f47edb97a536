import { isAbsolute } from 'node:path';
import { AppError } from '../../../shared/errors';
import type { AllowedRoot } from '../../../shared/schemas/mounts';
import { expandHome, isBroadRoot, isInside, realPathOrNull } from './path-utils';
import { findBlockedComponent } from './patterns';
import { systemPathConflict } from './system-paths';

export interface RootCheckContext {
  home: string;
  realHome: string;
  patterns: readonly string[];
  guarded: readonly string[];
  caseInsensitive: boolean;
  /** Roots (as the user lists them) whose moved real path the user accepts now. */
  reconfirm: ReadonlySet<string>;
}

export interface ResolvedRoots {
  roots: AllowedRoot[];
  newBroad: string[];
  reconfirmed: { path: string; was: string; now: string }[];
}

const invalid = (message: string, path: string) => new AppError('INVALID_INPUT', message, { path });

/**
 * Checks every root of a policy about to be saved and pins each one's real path. The pinned
 * path comes from the previous policy (never from the input): a root that moved keeps its old
 * pin, and so admits nothing, unless the user re-confirms it by name.
 */
export async function resolveRoots(
  requested: readonly AllowedRoot[],
  before: readonly AllowedRoot[],
  ctx: RootCheckContext,
): Promise<ResolvedRoots> {
  const out: ResolvedRoots = { roots: [], newBroad: [], reconfirmed: [] };
  for (const root of requested) {
    const path = expandHome(root.path, ctx.home);
    if (!isAbsolute(path))
      throw invalid(`Allowed root must be an absolute path: "${root.path}".`, root.path);
    if (out.roots.some((r) => r.path === path)) continue;
    const blockedGiven = findBlockedComponent(path, ctx.patterns);
    if (blockedGiven)
      throw invalid(
        `Path contains blocked pattern "${blockedGiven.pattern}": "${root.path}" cannot be an allowed root.`,
        root.path,
      );
    const previous = before.find((r) => expandHome(r.path, ctx.home) === path);
    const real = await realPathOrNull(path).catch(() => null);
    // A root that was already allowed may be missing for now (an unplugged drive): keep it,
    // so the rest of the policy can still change. Validation denies paths under it meanwhile.
    if (!real && previous) {
      out.roots.push({ ...root, path, confirmedRealPath: previous.confirmedRealPath });
      continue;
    }
    if (!real)
      throw invalid(
        `Allowed root does not exist: "${root.path}". Check the spelling, or create the folder first.`,
        root.path,
      );
    const system = systemPathConflict([path, real]);
    if (system)
      throw invalid(
        `"${root.path}"${real !== path ? ` (really "${real}")` : ''} is, contains or lies in the system folder "${system}", which agents may never see. Allow a folder of your own instead, such as ${ctx.home}/projects.`,
        root.path,
      );
    const blockedReal = findBlockedComponent(real, ctx.patterns);
    if (blockedReal)
      throw invalid(
        `Path contains blocked pattern "${blockedReal.pattern}": "${root.path}" resolves to "${real}".`,
        root.path,
      );
    if (ctx.guarded.some((p) => isInside(real, p, ctx.caseInsensitive)))
      throw invalid(
        `"${root.path}" is inside aigo's data folder or a runtime socket and can never be an allowed root.`,
        root.path,
      );
    const pinned = previous ? (previous.confirmedRealPath ?? real) : real;
    let confirmedRealPath = pinned;
    if (pinned !== real && ctx.reconfirm.has(root.path)) {
      confirmedRealPath = real;
      out.reconfirmed.push({ path, was: pinned, now: real });
    }
    const accepted = !previous || confirmedRealPath !== pinned;
    if (accepted && isBroadRoot(real, ctx.realHome, ctx.caseInsensitive)) out.newBroad.push(path);
    out.roots.push({ ...root, path, confirmedRealPath });
  }
  return out;
}

/** Why a saved root admits nothing right now, or null when it works. */
export function rootProblem(root: AllowedRoot, realPath: string | null): string | null {
  if (!realPath) return null;
  const system = systemPathConflict([root.path, realPath]);
  if (system) return `It is, contains or lies in the system folder "${system}": remove it.`;
  if (root.confirmedRealPath && root.confirmedRealPath !== realPath)
    return `It now resolves to "${realPath}", not "${root.confirmedRealPath}" as when you allowed it: it admits nothing until you re-confirm it.`;
  return null;
}
