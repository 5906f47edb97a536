import type { Session } from '../../../../shared/schemas/sessions';
import { Badge, ErrorBox, Spinner } from '../../components/ui';
import { dateTime } from '../../format';
import { runHref } from '../../route';
import { useApp } from '../../store';
import { describeState, TRIGGER_LABEL } from './session-state';
import { useSessions } from './sessions-store';
import { SquadLink } from './SquadLink';
import { SteerBox } from './SteerBox';
import { Transcript } from './Transcript';
import { writtenFiles } from './transcript';

function StateLine({ session }: { session: Session }) {
  const state = describeState(session);
  const working = ['starting', 'running', 'stopping'].includes(session.state);
  return (
    <div className="session-state" data-testid="session-state" data-state={session.state}>
      <Badge tone={state.tone}>{state.label}</Badge>
      {working ? <Spinner /> : null}
      {state.detail ? <span className="muted">{state.detail}</span> : null}
    </div>
  );
}

function Header({ session }: { session: Session }) {
  const stop = useSessions((s) => s.stop);
  const busy = useSessions((s) => s.busy);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  return (
    <header className="session-header">
      <div className="session-title">
        <h1 title={session.title}>{session.title || 'Untitled session'}</h1>
        {session.state !== 'ended' ? (
          <button
            type="button"
            className="button"
            data-testid="session-stop"
            disabled={!canMutate || busy === 'stop' || session.state === 'stopping'}
            onClick={() => void stop()}
            title="The agent finishes its current step, then the container stops"
          >
            {busy === 'stop' || session.state === 'stopping' ? <Spinner /> : null}
            {session.state === 'stopping' ? 'Stopping…' : 'Stop'}
          </button>
        ) : null}
      </div>
      <StateLine session={session} />
      <div className="session-meta muted">
        <span>
          Group <strong>{session.groupName}</strong>
        </span>
        <span>
          {session.trigger === 'squad' ? (
            <SquadLink session={session.id} />
          ) : (
            TRIGGER_LABEL[session.trigger]
          )}
          {session.chatJid ? (
            <>
              {' '}
              <code>{session.chatJid}</code>
            </>
          ) : null}
        </span>
        <span>Started {dateTime(session.createdAt)}</span>
        {session.runs > 0 ? (
          <a href={runHref(null, session.id)}>
            {session.runs} container run{session.runs === 1 ? '' : 's'}
          </a>
        ) : null}
      </div>
      {session.error ? (
        <p className="problem" data-testid="session-error">
          {session.error}
        </p>
      ) : null}
    </header>
  );
}

function FilesWritten({ files }: { files: { path: string; ok: boolean }[] }) {
  if (files.length === 0) return null;
  return (
    <details className="files-written" data-testid="files-written">
      <summary>
        Files written <Badge tone="muted">{files.length}</Badge>
      </summary>
      <ul className="chips">
        {files.map((f) => (
          <li key={f.path} className={`chip${f.ok ? '' : ' locked'}`} title={f.path}>
            {f.path}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** One session: what it is doing, every step so far, and the box to steer or resume it. */
export function SessionView() {
  const session = useSessions((s) => s.current);
  const transcript = useSessions((s) => s.transcript);
  const loading = useSessions((s) => s.loadingCurrent);
  const error = useSessions((s) => s.error);
  const currentId = useSessions((s) => s.currentId);

  if (!session) {
    return (
      <div className="session-view">
        {error?.action === 'open' ? (
          <div className="session-missing">
            <ErrorBox error={error.error} testId="session-open-error" />
            <a className="button" href="#/cowork">
              Start a new task
            </a>
          </div>
        ) : (
          <div className="empty transcript-empty">
            <Spinner /> Loading session {currentId}…
          </div>
        )}
      </div>
    );
  }
  return (
    <div className="session-view" data-testid="session-view">
      <Header session={session} />
      {error?.action === 'stop' ? <ErrorBox error={error.error} /> : null}
      <FilesWritten files={writtenFiles(transcript)} />
      <Transcript key={session.id} session={session} items={transcript} loading={loading} />
      <SteerBox key={`steer-${session.id}`} session={session} />
    </div>
  );
}
