import { useState } from 'react';
import type { Squad } from '../../../../shared/schemas/squads';
import { ErrorBox, Spinner } from '../../components/ui';
import { squadHref } from '../../route';
import { RichText } from '../cowork/RichText';
import { PlanActions } from './PlanActions';
import { PlanEditor } from './PlanEditor';
import { PlannerPanel } from './PlannerPanel';
import { SquadHeader } from './SquadHeader';
import { isActive, taskById } from './squad-state';
import { SquadSteer } from './SquadSteer';
import { useSquads } from './squads-store';
import { TaskDetail } from './TaskDetail';
import { WaveGraph } from './WaveGraph';

function Result({ squad }: { squad: Squad }) {
  if (!squad.result) return null;
  return (
    <section className="squad-panel squad-result" data-testid="squad-result">
      <div className="field-label">Result</div>
      <RichText text={squad.result} />
    </section>
  );
}

function Missing() {
  const error = useSquads((s) => s.openError);
  const currentId = useSquads((s) => s.currentId);
  return (
    <div className="session-view">
      {error ? (
        <div className="session-missing">
          <ErrorBox error={error} testId="squad-open-error" />
          <a className="button" href={squadHref(null)}>
            Start a new squad
          </a>
        </div>
      ) : (
        <div className="empty transcript-empty">
          <Spinner /> Loading squad {currentId}…
        </div>
      )}
    </div>
  );
}

/** One squad: where it is, its plan as waves, the open task, the result, and the steering. */
export function SquadView({ taskId }: { taskId: string | null }) {
  const squad = useSquads((s) => s.current);
  const [editing, setEditing] = useState(false);
  if (!squad) return <Missing />;
  const task = taskById(squad, taskId);
  // A plan can be changed while it waits to run, and written by hand when the planner failed.
  const editable = squad.state === 'planned' || squad.state === 'plan_failed';
  const showEditor = editing && editable;
  return (
    <div className="squad-view" data-testid="squad-view">
      <SquadHeader squad={squad} />
      {squad.state === 'planning' || squad.state === 'plan_failed' || squad.planner.attempts > 0 ? (
        <PlannerPanel squad={squad} />
      ) : null}
      {editable && !showEditor ? (
        <PlanActions squad={squad} onEdit={() => setEditing(true)} />
      ) : null}
      {showEditor ? (
        <PlanEditor squad={squad} onDone={() => setEditing(false)} />
      ) : squad.tasks.length > 0 ? (
        <WaveGraph
          squad={squad}
          selected={task?.id ?? null}
          replacing={squad.state === 'planning'}
        />
      ) : null}
      {task ? <TaskDetail key={task.id} squad={squad} task={task} /> : null}
      {taskId && !task && squad.tasks.length > 0 ? (
        <p className="problem">
          This squad has no task “{taskId}” (a new plan may have replaced it).
        </p>
      ) : null}
      {squad.state === 'running' && squad.error ? (
        // Its tasks wait for the runtime or the agent image: say what, and that they will start.
        <div className="banner warning" role="alert" data-testid="squad-waiting">
          <span className="banner-text">
            {squad.error} They start by themselves once that is solved (Health shows how).
          </span>
        </div>
      ) : null}
      {isActive(squad) ? null : <Result squad={squad} />}
      <SquadSteer squad={squad} />
    </div>
  );
}
