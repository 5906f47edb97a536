import { useState } from 'react';
import type { MountSecurityView } from '../../../../../shared/schemas/mounts';
import { Card, Toggle } from '../../../components/ui';
import { useApp } from '../../../store';
import { useMounts } from './mounts-store';

function LockIcon() {
  return (
    <svg className="lock" viewBox="0 0 16 16" aria-hidden="true">
      <path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z" />
    </svg>
  );
}

export function BlockedPatterns({ view }: { view: MountSecurityView }) {
  const save = useMounts((s) => s.save);
  const saving = useMounts((s) => s.saving);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [pattern, setPattern] = useState('');
  const policy = view.policy;
  const setPatterns = (blockedPatterns: string[]) => save({ ...policy, blockedPatterns });

  return (
    <Card title="Blocked patterns" testId="blocked-patterns">
      <p className="muted">
        A path is refused when any folder or file name in it matches one of these (case-insensitive;{' '}
        <code>.env</code> also matches <code>.env.local</code>). Matching entries inside an allowed
        folder are hidden from agents.
      </p>
      <div className="chips">
        {view.defaultBlockedPatterns.map((p) => (
          <span key={p} className="chip locked" title="Built in; always on">
            <LockIcon /> {p}
          </span>
        ))}
        {policy.blockedPatterns.map((p) => (
          <span key={p} className="chip" data-testid="user-pattern">
            {p}
            <button
              type="button"
              aria-label={`Remove ${p}`}
              disabled={!canMutate || saving}
              onClick={() => void setPatterns(policy.blockedPatterns.filter((x) => x !== p))}
            >
              ×
            </button>
          </span>
        ))}
      </div>
      <form
        className="inline-form form"
        onSubmit={(e) => {
          e.preventDefault();
          void setPatterns([...policy.blockedPatterns, pattern.trim()]).then(
            (ok) => ok && setPattern(''),
          );
        }}
      >
        <input
          aria-label="New blocked pattern"
          placeholder="e.g. *.pem or secrets"
          value={pattern}
          onChange={(e) => setPattern(e.target.value)}
          disabled={!canMutate}
        />
        <button
          type="submit"
          className="button"
          disabled={!canMutate || saving || pattern.trim() === ''}
        >
          Add pattern
        </button>
      </form>
    </Card>
  );
}

export function NonMainReadOnly({ view }: { view: MountSecurityView }) {
  const save = useMounts((s) => s.save);
  const saving = useMounts((s) => s.saving);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  return (
    <Card title="Other groups">
      <Toggle
        label="Read-only for groups other than main"
        testId="non-main-readonly"
        checked={view.policy.nonMainReadOnly}
        disabled={!canMutate || saving}
        onChange={(nonMainReadOnly) => void save({ ...view.policy, nonMainReadOnly })}
      />
      <p className="muted">
        When on, agents of every group except main see all mounts read-only, whatever the root
        allows.
      </p>
      <Toggle
        label="Show git remote tokens to agents"
        testId="expose-git-credentials"
        checked={view.policy.exposeGitCredentials}
        disabled={!canMutate || saving}
        onChange={(exposeGitCredentials) => void save({ ...view.policy, exposeGitCredentials })}
      />
      <p className="muted">
        A <code>.git/config</code> whose remote URL holds a token (https://user:token@…) is hidden
        from agents unless this is on. Better: remove the token and use a credential helper.
      </p>
    </Card>
  );
}
