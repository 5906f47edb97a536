import { useState } from 'react';
import type { Squad } from '../../../../shared/schemas/squads';
import { ErrorBox, Spinner } from '../../components/ui';
import { sessionHref } from '../../route';
import { describeState } from '../cowork/session-state';
import { Transcript } from '../cowork/Transcript';
import { useSessionFeed } from './use-session-feed';

function Problems({ problems, testId }: { problems: string[]; testId: string }) {
  if (problems.length === 0) return null;
  return (
    <ul className="squad-problems" data-testid={testId}>
      {problems.map((p) => (
        <li key={p}>{p}</li>
      ))}
    </ul>
  );
}

/**
 * The planner at work (its live progress, and the problems of a refused plan it is repairing),
 * the reason there is no plan, or, once planned, a way back to how the plan was reasoned.
 */
export function PlannerPanel({ squad }: { squad: Squad }) {
  const [show, setShow] = useState(false);
  const { session: id, attempts, problems } = squad.planner;
  const planning = squad.state === 'planning';
  const failed = squad.state === 'plan_failed';
  // While it plans, its session says how far it is, even with the transcript hidden.
  const feed = useSessionFeed(planning || show ? id : null);
  const progress = feed.session ? describeState(feed.session).detail : null;
  const attemptsText = `${attempts} planner run${attempts === 1 ? '' : 's'}`;

  return (
    <section
      className={`squad-panel squad-planner${failed ? ' bad' : planning ? ' working' : ''}`}
      data-testid="squad-planner"
    >
      {planning ? (
        <div className="squad-planner-line">
          <Spinner />
          <strong>
            {attempts > 1 && problems.length > 0
              ? 'The planner is repairing its plan'
              : attempts > 1
                ? 'The planner is making a new plan'
                : 'The planner is splitting the goal into tasks'}
          </strong>
          <span className="muted">
            {[`attempt ${Math.max(attempts, 1)}`, progress].filter(Boolean).join(' · ')}
          </span>
        </div>
      ) : failed ? (
        <div className="squad-planner-line">
          <strong>The planner gave no valid plan</strong>
          <span className="muted">
            after {attemptsText}. Re-plan, or write the plan yourself, below.
          </span>
        </div>
      ) : (
        <div className="squad-planner-line muted">
          Planned by the planner agent in {attemptsText}.
        </div>
      )}
      {planning && problems.length > 0 ? (
        <p className="muted small">Its last plan was refused for these reasons:</p>
      ) : null}
      {planning || failed ? (
        <Problems
          // Without a refused plan, the failure is the planner's own (its session failed).
          problems={problems.length > 0 || !failed || !squad.error ? problems : [squad.error]}
          testId="squad-plan-problems"
        />
      ) : null}
      {id ? (
        <div className="squad-planner-links">
          <button
            type="button"
            className="button small ghost"
            data-testid="squad-planner-toggle"
            aria-expanded={show}
            onClick={() => setShow(!show)}
          >
            {show ? 'Hide the planner’s transcript' : 'Show the planner’s transcript'}
          </button>
          <a className="button small ghost" href={sessionHref(id)}>
            Open in Cowork
          </a>
        </div>
      ) : null}
      {show && id ? (
        <div className="squad-transcript" data-testid="squad-planner-transcript">
          <ErrorBox error={feed.error} />
          <Transcript session={feed.session} items={feed.items} loading={feed.loading} />
        </div>
      ) : null}
    </section>
  );
}
