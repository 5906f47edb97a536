import { ConcurrencyCard } from './ConcurrencyCard';
import { SquadDefaultsCard } from './SquadDefaultsCard';
import { useState } from 'react';
import type { Group } from '../../../../../shared/schemas/groups';
import type { ErrorInfo } from '../../../call';
import { Badge, Card, ConfirmDeleteActions, ErrorBox, Reveal } from '../../../components/ui';
import { navigate } from '../../../route';
import { useApp } from '../../../store';
import { useLive } from '../../../use-live';
import { useSessions } from '../../cowork/sessions-store';
import { GroupForm } from './GroupForm';
import { limitsSummary } from './group-draft';
import { onGroupsEvent, useGroups } from './groups-store';

async function loadGroups(): Promise<void> {
  await useGroups.getState().load();
}

function GroupRow({ group, onEdit }: { group: Group; onEdit(): void }) {
  const remove = useGroups((s) => s.remove);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const confirmDelete = async () => {
    setDeleting(true);
    const outcome = await remove(group.id);
    setDeleting(false);
    setConfirming(false);
    if (!outcome.ok) setError(outcome.error);
  };
  const startTask = () => {
    useSessions.getState().setDraft({ group: group.id });
    navigate('#/cowork');
  };

  return (
    <li className="row group-row" data-testid="group-row" data-group={group.name}>
      <div className="row-main">
        <strong>{group.name}</strong>
        {group.isMain ? <Badge tone="ok">main</Badge> : null}
        {group.chatJids.length > 0 ? (
          <Badge tone="muted">
            {group.chatJids.length} chat{group.chatJids.length === 1 ? '' : 's'}
          </Badge>
        ) : null}
        {group.description ? <div className="muted">{group.description}</div> : null}
        <div className="muted">
          Workspace{' '}
          {group.workspaceFolder ? <code>{group.workspaceFolder}</code> : <>aigo’s own folder</>}
          {group.mounts.length > 0
            ? ` + ${group.mounts.length} folder${group.mounts.length === 1 ? '' : 's'}`
            : ''}{' '}
          · {limitsSummary(group)}
        </div>
        {confirming ? (
          <div className="confirm" role="alertdialog">
            <p>
              Delete the group “{group.name}”? Its chats stop reaching an agent. Past sessions and
              runs stay in the history.
            </p>
            <ConfirmDeleteActions
              testId="group-delete-confirm"
              deleting={deleting}
              onConfirm={() => void confirmDelete()}
              onCancel={() => setConfirming(false)}
            />
          </div>
        ) : null}
        {error ? (
          <div className="row-error">
            <ErrorBox error={error} testId="group-delete-error" />
          </div>
        ) : null}
      </div>
      <div className="row-actions">
        <button type="button" className="button small" onClick={startTask}>
          New task
        </button>
        <button type="button" className="button small" data-testid="group-edit" onClick={onEdit}>
          Edit
        </button>
        <button
          type="button"
          className="button small"
          data-testid="group-delete"
          disabled={!canMutate || confirming}
          onClick={() => {
            setError(null);
            setConfirming(true);
          }}
        >
          Delete
        </button>
      </div>
    </li>
  );
}

/** Settings > Container > Groups: every group, a form to add one, edit and delete. */
export function GroupsSection() {
  const groups = useGroups((s) => s.groups);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  useLive(loadGroups, onGroupsEvent);
  const edited = editing && editing !== 'new' ? groups?.find((g) => g.id === editing) : undefined;

  return (
    <>
      <Card
        title="Groups"
        testId="groups-card"
        actions={
          <button
            type="button"
            className="button primary"
            data-testid="group-new"
            disabled={!canMutate || editing === 'new'}
            onClick={() => setEditing('new')}
          >
            New Group
          </button>
        }
      >
        {!groups ? <p className="muted">Loading…</p> : null}
        <ul className="rows">
          {groups?.map((g) => (
            <GroupRow key={g.id} group={g} onEdit={() => setEditing(g.id)} />
          ))}
        </ul>
      </Card>
      {editing === 'new' ? (
        <Reveal key="new">
          <Card title="New group" testId="group-editor">
            <GroupForm group={null} onDone={() => setEditing(null)} />
          </Card>
        </Reveal>
      ) : edited ? (
        <Reveal key={edited.id}>
          <Card title={`Edit group “${edited.name}”`} testId="group-editor">
            <GroupForm group={edited} onDone={() => setEditing(null)} />
          </Card>
        </Reveal>
      ) : null}
      <ConcurrencyCard />
      <SquadDefaultsCard />
    </>
  );
}
