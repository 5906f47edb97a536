import { useState } from 'react';
import type { Squad, SquadTask } from '../../../../shared/schemas/squads';
import type { ErrorInfo } from '../../call';
import { Badge, ErrorBox, Reveal, Spinner } from '../../components/ui';
import { dateTime } from '../../format';
import { sessionHref, squadHref } from '../../route';
import { useApp } from '../../store';
import { useNow } from '../../use-now';
import { RichText } from '../cowork/RichText';
import { describeState } from '../cowork/session-state';
import { Transcript } from '../cowork/Transcript';
import { elapsed, isActive, TASK_STATE, taskIsOpen, timeTaken } from './squad-state';
import { SquadSteerBox } from './SquadSteer';
import { useSquads } from './squads-store';
import { useSessionFeed } from './use-session-feed';

function CancelTask({ squad, task }: { squad: Squad; task: SquadTask }) {
  const cancelTask = useSquads((s) => s.cancelTask);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const dependents = squad.tasks.filter((t) => t.dependsOn.includes(task.id)).length;
  return (
    <>
      <button
        type="button"
        className="button small"
        data-testid="squad-task-cancel"
        disabled={!canMutate || busy}
        title={
          dependents
            ? `The ${dependents} task${dependents === 1 ? '' : 's'} that need${dependents === 1 ? 's' : ''} it will be skipped`
            : 'Stops this task; the rest of the squad goes on'
        }
        onClick={() => {
          setBusy(true);
          setError(null);
          void cancelTask(squad.id, task.id).then((outcome) => {
            setBusy(false);
            if (!outcome.ok) setError(outcome.error);
          });
        }}
      >
        {busy ? <Spinner /> : null} Cancel task
      </button>
      <ErrorBox error={error} testId="squad-task-cancel-error" />
    </>
  );
}

function Output({ output }: { output: NonNullable<SquadTask['output']> }) {
  return (
    <div className="squad-output" data-testid="squad-task-output">
      <div className="field-label">What it handed on</div>
      {output.answer ? <RichText text={output.answer} /> : <p className="muted">(no answer)</p>}
      {output.files.length > 0 ? (
        <ul className="chips" aria-label="Files it wrote">
          {output.files.map((f) => (
            <li key={f} className="chip" title={f}>
              {f}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** One task: what it was asked, where it is, what it produced, and its agent's every step. */
export function TaskDetail({ squad, task }: { squad: Squad; task: SquadTask }) {
  const feed = useSessionFeed(task.session);
  const now = useNow(1000);
  const state = TASK_STATE[task.state];
  const ms = elapsed(task.startedAt, task.endedAt, now);
  const open = taskIsOpen(task) && isActive(squad);
  const session = feed.session ? describeState(feed.session) : null;
  return (
    <Reveal>
      <section className="squad-panel squad-task-detail" data-testid="squad-task-detail">
        <header className="squad-task-detail-head">
          <div className="session-title">
            <h2>
              <code>{task.id}</code> {task.title}
            </h2>
            <div className="row-actions">
              {open && squad.state === 'running' ? <CancelTask squad={squad} task={task} /> : null}
              <a className="button small ghost" href={squadHref(squad.id)} aria-label="Close">
                Close
              </a>
            </div>
          </div>
          <div className="session-state" data-testid="squad-task-state" data-state={task.state}>
            <Badge tone={state.tone}>{state.label}</Badge>
            {task.state === 'running' ? <Spinner /> : null}
            <span className="muted">
              {[
                ms !== null ? timeTaken(ms, !task.endedAt) : null,
                task.startedAt ? `started ${dateTime(task.startedAt)}` : null,
                task.state === 'running' ? session?.detail : null,
                task.dependsOn.length ? `needs ${task.dependsOn.join(', ')}` : null,
              ]
                .filter(Boolean)
                .join(' · ')}
            </span>
          </div>
          {task.reason ? (
            <p className="problem" data-testid="squad-task-reason">
              {task.reason}
            </p>
          ) : null}
        </header>
        <details className="squad-prompt" open={!task.session}>
          <summary>Prompt</summary>
          <div className="t-quote">{task.prompt}</div>
        </details>
        {task.output ? <Output output={task.output} /> : null}
        {task.session ? (
          <div className="squad-transcript">
            <div className="squad-transcript-head">
              <span className="field-label">Transcript</span>
              <a
                className="small"
                href={sessionHref(task.session)}
                data-testid="squad-task-open-session"
              >
                Open in Cowork
              </a>
            </div>
            <ErrorBox error={feed.error} />
            <Transcript session={feed.session} items={feed.items} loading={feed.loading} />
          </div>
        ) : (
          <p className="muted">
            {task.state === 'pending'
              ? 'Not started yet: it starts once every task it needs has succeeded.'
              : 'It never ran, so there is no transcript.'}
          </p>
        )}
        {open ? <SquadSteerBox squad={squad} task={task.id} testId="squad-task-steer" /> : null}
      </section>
    </Reveal>
  );
}
