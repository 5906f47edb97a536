import { GroupSelect } from '../../components/GroupSelect';
import { useEffect, type KeyboardEvent } from 'react';
import type { Group } from '../../../../shared/schemas/groups';
import { Badge, ErrorBox, Spinner } from '../../components/ui';
import { navigate, sessionHref } from '../../route';
import { useApp } from '../../store';
import { findGroup, useGroups } from '../container/groups/groups-store';
import { Readiness } from './Readiness';
import { useSessions } from './sessions-store';
import { useWorkspaceAccess } from './workspace-access';

/** Ctrl+Enter (Cmd+Enter on a Mac) in a text box. */
export const isSubmitKey = (e: KeyboardEvent) => e.key === 'Enter' && (e.ctrlKey || e.metaKey);

const MAC = /Mac|iPhone|iPad/.test(navigator.platform);
export const SUBMIT_HINT = MAC ? '⌘ Enter' : 'Ctrl+Enter';

function WorkspaceLine({ group }: { group: Group | undefined }) {
  const access = useWorkspaceAccess(group);
  const info = useApp((s) => s.info);
  if (!group || !access) return null;
  const sep = info?.platform === 'win32' ? '\\' : '/';
  // The core keeps a group without a folder of its own in DATA_DIR/workspaces/<folder>.
  const own = info ? `${info.dataDir}${sep}workspaces${sep}${group.folder}` : null;
  return (
    <div className="workspace-line" data-testid="cowork-workspace">
      <span className="muted">Workspace</span>
      {access.path ? (
        <code title={access.path}>{access.path}</code>
      ) : (
        <span>aigo’s own folder for this group {own ? <code title={own}>{own}</code> : null}</span>
      )}
      {access.refused ? (
        <Badge tone="bad">Refused</Badge>
      ) : access.readonly === null ? null : access.readonly ? (
        <Badge tone="muted">read-only</Badge>
      ) : (
        <Badge tone="ok">read-write</Badge>
      )}
      {group.mounts.length > 0 ? (
        <span className="muted">
          + {group.mounts.length} extra folder{group.mounts.length === 1 ? '' : 's'}
        </span>
      ) : null}
      {access.refused ? (
        <div className="problem" data-testid="cowork-workspace-refused">
          Mount security refuses this folder now: {access.refused}{' '}
          <a href="#/container/mounts">Mount Security →</a>
        </div>
      ) : null}
    </div>
  );
}

/** The new-task screen: which group, what to do, Start. */
export function Composer() {
  const groups = useGroups((s) => s.groups);
  const draftGroup = useSessions((s) => s.draftGroup);
  const draftPrompt = useSessions((s) => s.draftPrompt);
  const setDraft = useSessions((s) => s.setDraft);
  const start = useSessions((s) => s.start);
  const busy = useSessions((s) => s.busy);
  const error = useSessions((s) => s.error);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const selected = (draftGroup ? findGroup(groups, draftGroup) : undefined) ?? groups?.[0];
  // A group deleted meanwhile (or none chosen yet) falls back to main.
  useEffect(() => {
    if (groups && selected && selected.id !== draftGroup) setDraft({ group: selected.id });
  }, [groups, selected, draftGroup, setDraft]);

  const submit = async () => {
    if (!canMutate || busy === 'start' || draftPrompt.trim() === '') return;
    const session = await start();
    if (session) navigate(sessionHref(session.id));
  };

  return (
    <div className="composer" data-testid="cowork-composer">
      <h1>What should the agent do?</h1>
      <p className="lead">
        The agent works in a container that sees only the group’s workspace and the folders you
        allowed. You can watch each step, steer it while it runs, and stop it at any time.
      </p>
      <Readiness />
      <form
        className="form composer-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          <span>Group</span>
          <GroupSelect
            testId="cowork-group"
            groups={groups ?? null}
            value={selected?.id ?? ''}
            onChange={(group) => setDraft({ group: group })}
          />
        </label>
        <WorkspaceLine group={selected} />
        <label>
          <span>Task</span>
          <textarea
            data-testid="cowork-prompt"
            rows={7}
            autoFocus
            placeholder="e.g. Read the README in the workspace and write a short summary to SUMMARY.md"
            value={draftPrompt}
            onChange={(e) => setDraft({ prompt: e.target.value })}
            onKeyDown={(e) => {
              if (isSubmitKey(e)) {
                e.preventDefault();
                void submit();
              }
            }}
          />
        </label>
        {error?.action === 'start' ? <ErrorBox error={error.error} testId="cowork-error" /> : null}
        <div className="form-actions composer-actions">
          <button
            type="submit"
            className="button primary"
            data-testid="cowork-start"
            disabled={!canMutate || busy === 'start' || draftPrompt.trim() === ''}
          >
            {busy === 'start' ? <Spinner /> : null} Start
          </button>
          <span className="muted">{SUBMIT_HINT} starts</span>
          {!canMutate ? (
            <span className="muted">
              Read-only view: open the link aigo printed to start tasks.
            </span>
          ) : null}
        </div>
      </form>
      {groups && groups.length > 0 ? (
        <p className="muted small">
          Groups, their folders and container limits are set in{' '}
          <a href="#/container/groups">Settings › Container › Groups</a>.
        </p>
      ) : null}
    </div>
  );
}
