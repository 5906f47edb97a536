import { useEffect, useState } from 'react';
import type { Group } from '../../../../shared/schemas/groups';
import { transport } from '../../call';

export interface WorkspaceAccess {
  /** The folder on this machine, or null for aigo's own folder of the group. */
  path: string | null;
  /** null while unknown (checking, or the check needs the access token). */
  readonly: boolean | null;
  /** Mount security refuses the folder now: the session would fail to start. */
  refused: string | null;
}

/**
 * What the agent gets at /workspace. The core asks for read-write for main and read-only for
 * other groups, and mount security may lower that; ask it, as the session start will.
 */
export function useWorkspaceAccess(group: Group | undefined): WorkspaceAccess | null {
  const [access, setAccess] = useState<WorkspaceAccess | null>(null);
  const folder = group?.workspaceFolder ?? null;
  const isMain = group?.isMain ?? false;
  const name = group?.name ?? '';
  useEffect(() => {
    if (!name) return setAccess(null);
    if (!folder) return setAccess({ path: null, readonly: !isMain, refused: null });
    let live = true;
    setAccess({ path: folder, readonly: null, refused: null });
    transport()
      .call('mounts.validate', {
        hostPath: folder,
        readonly: !isMain,
        group: isMain ? 'main' : name,
      })
      .then(
        (verdict) =>
          live &&
          setAccess({
            path: folder,
            readonly: verdict.readonly,
            refused: verdict.allowed ? null : verdict.reason,
          }),
        () => undefined,
      );
    return () => {
      live = false;
    };
  }, [folder, isMain, name]);
  return access;
}
