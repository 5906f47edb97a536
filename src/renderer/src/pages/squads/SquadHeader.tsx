import { useState } from 'react';
import type { Squad } from '../../../../shared/schemas/squads';
import type { ErrorInfo } from '../../call';
import { Badge, ErrorBox, Spinner } from '../../components/ui';
import { dateTime } from '../../format';
import { useApp } from '../../store';
import { useNow } from '../../use-now';
import {
  elapsed,
  isActive,
  limitsLine,
  secs,
  SQUAD_STATE,
  stateDetail,
  timeTaken,
} from './squad-state';
import { useSquads } from './squads-store';

/** A button that calls the core, shows it is busy, and shows why it was refused. */
function SquadAction(props: {
  testId: string;
  title: string;
  label: string;
  act: () => Promise<{ ok: true } | { ok: false; error: ErrorInfo }>;
}) {
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  return (
    <div className="squad-cancel">
      <button
        type="button"
        className="button"
        data-testid={props.testId}
        disabled={!canMutate || busy}
        title={props.title}
        onClick={() => {
          setBusy(true);
          setError(null);
          void props.act().then((outcome) => {
            setBusy(false);
            if (!outcome.ok) setError(outcome.error);
          });
        }}
      >
        {busy ? <Spinner /> : null} {props.label}
      </button>
      <ErrorBox error={error} testId={`${props.testId}-error`} />
    </div>
  );
}

function CancelButton({ squad }: { squad: Squad }) {
  const cancel = useSquads((s) => s.cancel);
  return (
    <SquadAction
      testId="squad-cancel"
      title="Running tasks stop; the tasks not started yet are skipped"
      label="Cancel squad"
      act={() => cancel(squad.id)}
    />
  );
}

/** An ended squad that did not fully succeed: its tasks that did not succeed run again. */
function RunAgainButton({ squad }: { squad: Squad }) {
  const run = useSquads((s) => s.run);
  const again = squad.tasks.filter((t) => t.state !== 'succeeded').length;
  return (
    <SquadAction
      testId="squad-rerun"
      title="The tasks that succeeded keep their results; the others start again, with a new time limit"
      label={`Run the ${again} task${again === 1 ? '' : 's'} again`}
      act={() => run(squad.id)}
    />
  );
}

const RERUNNABLE = new Set<Squad['state']>(['failed', 'timeout', 'cancelled']);

/** How long it has run, against its execution limit; live while it runs. */
function Timing({ squad }: { squad: Squad }) {
  const now = useNow(1000);
  const ran = elapsed(squad.startedAt, squad.endedAt, now);
  const limit = squad.limits.executionTimeoutSecs * 1000;
  return (
    <>
      <span>Created {dateTime(squad.createdAt)}</span>
      {squad.startedAt ? <span>Started {dateTime(squad.startedAt)}</span> : null}
      {!squad.endedAt && (squad.state === 'cancelled' || squad.state === 'timeout') ? (
        // Ended, but its running tasks are still being stopped (their containers take a moment).
        <span data-testid="squad-elapsed">
          <Spinner /> Stopping its tasks…
        </span>
      ) : ran !== null ? (
        <span data-testid="squad-elapsed">
          {squad.endedAt ? 'Ran' : 'Running for'} <strong>{timeTaken(ran, !squad.endedAt)}</strong>
          {squad.endedAt ? null : ` of ${secs(squad.limits.executionTimeoutSecs)}`}
          {!squad.endedAt && ran > limit * 0.8 ? (
            <>
              {' '}
              <Badge tone="warn">near the limit</Badge>
            </>
          ) : null}
        </span>
      ) : squad.endedAt ? (
        <span>Ended {dateTime(squad.endedAt)}, before its plan ran</span>
      ) : (
        <span>Execution limit {secs(squad.limits.executionTimeoutSecs)}, counted from Run</span>
      )}
    </>
  );
}

/** The goal, where the squad is, its timings and limits, and the way to stop it. */
export function SquadHeader({ squad }: { squad: Squad }) {
  const state = SQUAD_STATE[squad.state];
  const working = squad.state === 'planning' || squad.state === 'running';
  return (
    <header className="session-header squad-header">
      <div className="session-title">
        <h1 className="squad-goal" title={squad.goal}>
          {squad.goal}
        </h1>
        {isActive(squad) ? <CancelButton squad={squad} /> : null}
        {RERUNNABLE.has(squad.state) && squad.tasks.length && squad.startedAt && squad.endedAt ? (
          <RunAgainButton squad={squad} />
        ) : null}
      </div>
      <div className="session-state" data-testid="squad-state" data-state={squad.state}>
        <Badge tone={state.tone}>{state.label}</Badge>
        {working ? <Spinner /> : null}
        <span className="muted">{stateDetail(squad)}</span>
      </div>
      <div className="session-meta muted">
        <span>
          Group <strong>{squad.groupName}</strong>
        </span>
        <Timing squad={squad} />
        <span title="Limits of this squad">{limitsLine(squad.limits)}</span>
        {squad.autoRun ? <span>Runs the plan when ready</span> : null}
      </div>
    </header>
  );
}
