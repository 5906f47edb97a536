import type { MountSecurityView } from '../../../shared/schemas/mounts';
import type { IpcProblem } from '../sessions/ipc-problems';
import type { Add } from './diagnostics';

/** Mount security: an allowlist to share folders from, and each root usable. */
export function diagnoseMounts(mounts: MountSecurityView, add: Add): void {
  if (mounts.roots.length === 0) {
    add({
      id: 'mounts',
      area: 'mounts',
      status: 'info',
      title: 'No folders shared with agents',
      detail: 'Agents see only their own workspace.',
      fix: [
        'Settings > Container > Mount Security → add an allowed root, if agents should see your files',
      ],
      route: 'container/mounts',
    });
  }
  for (const r of mounts.roots) {
    // One item per root: moved (admits nothing), missing, broad, or ok.
    if (r.problem)
      add({
        id: `mount-root-problem-${r.path}`,
        area: 'mounts',
        status: 'fail',
        title: `Allowed root admits nothing: ${r.path}`,
        detail: r.problem,
        fix: r.needsReconfirm
          ? [
              'Settings > Container > Mount Security → Re-confirm, if the new location is right',
              'Otherwise point the symlink back, or remove the root',
            ]
          : ['Remove the root in Settings > Container > Mount Security'],
        route: 'container/mounts',
      });
    else if (!r.exists)
      add({
        id: `mount-missing-${r.path}`,
        area: 'mounts',
        status: 'warn',
        title: `Allowed root is missing: ${r.path}`,
        detail: 'Mounts under it are refused until it is back.',
        fix: ['Reconnect the drive, or remove the root in Settings > Container > Mount Security'],
        route: 'container/mounts',
      });
    else if (r.broad)
      add({
        id: `mount-broad-${r.path}`,
        area: 'mounts',
        status: 'warn',
        title: `Broad allowed root: ${r.path}`,
        detail: 'Every agent could see everything below it.',
        fix: ['Replace it with the specific folders agents need'],
        route: 'container/mounts',
      });
    else
      add({
        id: `mount-root-${r.path}`,
        area: 'mounts',
        status: 'ok',
        title: `Allowed root: ${r.path}`,
        detail: `${r.allowReadWrite ? 'read-write' : 'read-only'}${r.realPath && r.realPath !== r.path ? `, real path ${r.realPath}` : ''}`,
        route: 'container/mounts',
      });
  }
}

/** Sessions' IPC folders: steering unread, messages stuck, folders missing. */
export function diagnoseIpc(problems: IpcProblem[], add: Add): void {
  for (const p of problems) {
    const where = `session ${p.session} (group ${p.group})`;
    if (p.kind === 'input_unread')
      add({
        id: `ipc-unread-${p.session}`,
        area: 'sessions',
        status: 'warn',
        title: `${p.count} follow-up message${p.count === 1 ? '' : 's'} wait unread: the container of ${where} is not running`,
        detail: p.folder,
        fix: [
          'Verify the container is still running (check run history: Settings > Container > Runs)',
          'Send a message on the Cowork page to resume the session; it reads what is waiting',
        ],
        route: 'cowork',
      });
    else
      add({
        id: `ipc-${p.kind}-${p.session}`,
        area: 'sessions',
        status: 'warn',
        title:
          p.kind === 'outgoing_stuck'
            ? `${p.count} outgoing message${p.count === 1 ? '' : 's'} of ${where} not delivered yet`
            : `${p.count} outgoing file${p.count === 1 ? '' : 's'} of ${where} set aside as malformed`,
        detail: p.folder,
        fix:
          p.kind === 'outgoing_stuck'
            ? [
                'Check the message router status in the application logs: aigo logs --last 500',
                'Verify the channel is connected (Settings > Channels) and the chat JID matches its format',
              ]
            : [
                'Open the files in the folder above: the audit log (Settings > Security, category ipc) says why each was refused',
              ],
        route: 'cowork',
      });
  }
}
