import { useState } from 'react';
import type { Group } from '../../../../../shared/schemas/groups';
import { issuesOf, type ErrorInfo } from '../../../call';
import { ErrorBox, Spinner, Toggle } from '../../../components/ui';
import { useApp } from '../../../store';
import { useDraft } from '../../../use-draft';
import { useMounts } from '../mounts/mounts-store';
import { ContainerFields } from './ContainerFields';
import { FieldIssues } from './FieldIssues';
import { bodyOf, draftOf, NEW_GROUP, type DraftProblem, type GroupDraft } from './group-draft';
import { useGroups } from './groups-store';
import { MountsEditor } from './MountsEditor';

/** Every problem the core named, by the field it concerns (a refused folder, a refused option). */
function problemsOf(error: ErrorInfo | null, draft: GroupDraft): DraftProblem[] {
  if (!error) return [];
  const details = (error.details ?? {}) as { hostPath?: string; refused?: unknown[] };
  const named: DraftProblem[] = [];
  if (details.hostPath)
    named.push({
      path: details.hostPath === draft.workspaceFolder.trim() ? 'workspaceFolder' : 'mounts',
      message: error.message,
    });
  if (Array.isArray(details.refused))
    named.push({ path: 'containerConfig.extraRunArgs', message: error.message });
  return [...issuesOf(error), ...named];
}

/** Add a group, or change one. Unsaved edits survive live updates of the group. */
export function GroupForm({ group, onDone }: { group: Group | null; onDone(): void }) {
  const create = useGroups((s) => s.create);
  const update = useGroups((s) => s.update);
  const pick = useMounts((s) => s.pickFolder);
  const canPick = useApp((s) => s.info?.capabilities.pickFolder ?? false);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const { draft, setDraft, dirty, reset } = useDraft<GroupDraft>(
    group ? draftOf(group) : NEW_GROUP,
  );
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [local, setLocal] = useState<DraftProblem[]>([]);
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<GroupDraft>) => setDraft({ ...draft, ...patch });
  const issues = [...local, ...problemsOf(error, draft)];
  const disabled = !canMutate || saving;
  const pickFolder = canPick ? pick : null;

  const save = async () => {
    const { body, problems } = bodyOf(draft);
    setLocal(problems);
    setError(null);
    if (problems.length) return;
    setSaving(true);
    const outcome = group ? await update({ id: group.id, ...body }) : await create(body);
    setSaving(false);
    if (outcome.ok) onDone();
    else setError(outcome.error);
  };

  return (
    <form
      className="form group-form"
      data-testid="group-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <fieldset className="form-section">
        <legend>Group</legend>
        <div className="form-row">
          <label>
            <span>Name</span>
            <input
              data-testid="group-name"
              placeholder="team-docs"
              value={draft.name}
              disabled={disabled || group?.isMain}
              onChange={(e) => set({ name: e.target.value })}
            />
            <small className="muted">
              {group?.isMain
                ? 'The main group keeps its name.'
                : 'Letters, digits and _ . - : / only.'}
            </small>
            <FieldIssues issues={issues} path="name" />
          </label>
          <label>
            <span>Description</span>
            <input
              data-testid="group-description"
              placeholder="What this agent is for"
              value={draft.description}
              disabled={disabled}
              onChange={(e) => set({ description: e.target.value })}
            />
            <FieldIssues issues={issues} path="description" />
          </label>
        </div>
      </fieldset>
      <fieldset className="form-section">
        <legend>Chats</legend>
        <label>
          <span>Chat JIDs</span>
          <textarea
            data-testid="group-chat-jids"
            rows={2}
            placeholder={'tg:123456789\nslack:C01234567'}
            value={draft.chatJids}
            disabled={disabled}
            onChange={(e) => set({ chatJids: e.target.value })}
          />
          <small className="muted">One per line. A chat answers to one group only.</small>
          <FieldIssues issues={issues} path="chatJids" />
        </label>
        <div className="form-row align-end">
          <label>
            <span>Trigger</span>
            <input
              data-testid="group-trigger"
              value={draft.trigger}
              disabled={disabled}
              onChange={(e) => set({ trigger: e.target.value })}
            />
            <FieldIssues issues={issues} path="trigger" />
          </label>
          <Toggle
            label="Group chats need the trigger"
            testId="group-requires-trigger"
            checked={draft.requiresTrigger}
            disabled={disabled}
            onChange={(requiresTrigger) => set({ requiresTrigger })}
          />
        </div>
        <label>
          <span>Allowed senders</span>
          <textarea
            data-testid="group-allowlist"
            rows={2}
            placeholder="Everyone in the group's chats"
            value={draft.senderAllowlist}
            disabled={disabled}
            onChange={(e) => set({ senderAllowlist: e.target.value })}
          />
          <small className="muted">One sender id per line; empty lets everyone in.</small>
          <FieldIssues issues={issues} path="senderAllowlist" />
        </label>
      </fieldset>
      <fieldset className="form-section">
        <legend>Folders</legend>
        <label>
          <span>Workspace folder</span>
          <div className="input-with-button">
            <input
              data-testid="group-workspace"
              placeholder="aigo's own folder for this group"
              value={draft.workspaceFolder}
              disabled={disabled}
              onChange={(e) => set({ workspaceFolder: e.target.value })}
            />
            {pickFolder ? (
              <button
                type="button"
                className="button"
                disabled={disabled}
                onClick={() =>
                  void pickFolder().then((path) => path && set({ workspaceFolder: path }))
                }
              >
                Browse…
              </button>
            ) : null}
          </div>
          <small className="muted">
            Mounted at /workspace: read-write for main (if its allowed root allows it), read-only
            for other groups. It must be inside an allowed root (
            <a href="#/container/mounts">Mount Security</a>).
          </small>
          <FieldIssues issues={issues} path="workspaceFolder" />
        </label>
        <MountsEditor
          mounts={draft.mounts}
          onChange={(mounts) => set({ mounts })}
          pickFolder={pickFolder}
          disabled={disabled}
          issues={issues}
        />
      </fieldset>
      <ContainerFields draft={draft} set={set} disabled={disabled} issues={issues} />
      <ErrorBox error={error} testId="group-error" />
      <div className="form-actions">
        <button
          type="submit"
          className="button primary"
          data-testid="group-save"
          disabled={disabled || (group !== null && !dirty)}
        >
          {saving ? <Spinner /> : null}
          {group ? 'Save group' : 'Add group'}
        </button>
        {group && dirty ? (
          <button type="button" className="button ghost" onClick={reset} disabled={saving}>
            Undo changes
          </button>
        ) : null}
        <button type="button" className="button ghost" onClick={onDone} disabled={saving}>
          {group ? 'Close' : 'Cancel'}
        </button>
      </div>
    </form>
  );
}
