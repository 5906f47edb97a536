import { useRef } from 'react';
import type { Squad, SquadTask } from '../../../../shared/schemas/squads';
import { useNow } from '../../use-now';
import { TaskCard } from './TaskCard';
import { useEdges } from './use-edges';

/** How an edge looks: what the needed task handed on, and whether it concerns the open task. */
function edgeClass(squad: Squad, from: string, to: string, selected: string | null): string {
  const state = squad.tasks.find((t) => t.id === from)?.state;
  const tone =
    state === 'succeeded'
      ? 'ok'
      : state === 'failed' || state === 'timeout'
        ? 'bad'
        : state === 'running'
          ? 'info'
          : 'muted';
  const lit = selected !== null && (from === selected || to === selected);
  return `squad-edge ${tone}${lit ? ' lit' : ''}`;
}

function waveCaption(index: number, tasks: SquadTask[]): string {
  const done = tasks.filter((t) => t.state === 'succeeded').length;
  const when = index === 0 ? 'starts first' : `after wave ${index}`;
  return `${tasks.length} task${tasks.length === 1 ? '' : 's'} · ${when}${done ? ` · ${done} done` : ''}`;
}

/**
 * The plan as waves, left to right: a wave's tasks run side by side once every task they need
 * (in earlier waves) has succeeded. Curves join each task to the tasks it needs.
 */
export function WaveGraph({
  squad,
  selected,
  replacing = false,
}: {
  squad: Squad;
  selected: string | null;
  /** The planner works on a new plan: this one is shown as what it will replace. */
  replacing?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const cards = useRef(new Map<string, HTMLElement>());
  const byId = new Map(squad.tasks.map((t) => [t.id, t]));
  const links = squad.tasks.flatMap((t) =>
    t.dependsOn.filter((d) => byId.has(d)).map((d): [string, string] => [d, t.id]),
  );
  const drawing = useEdges(box, cards, links);
  const now = useNow(1000);

  return (
    <section
      className={`squad-graph${replacing ? ' replacing' : ''}`}
      ref={box}
      data-testid="squad-graph"
      aria-label="Plan"
    >
      {replacing ? (
        <p className="muted small squad-graph-note">The planner is replacing this plan.</p>
      ) : null}
      <svg className="squad-edges" width={drawing.width} height={drawing.height} aria-hidden="true">
        {drawing.edges.map((e) => (
          <g key={`${e.from}>${e.to}`} className={edgeClass(squad, e.from, e.to, selected)}>
            <path d={e.path} />
            <circle r={3} cx={e.end.x} cy={e.end.y} />
          </g>
        ))}
      </svg>
      <div className="squad-waves">
        {squad.waves.map((ids, index) => {
          const tasks = ids.flatMap((id) => byId.get(id) ?? []);
          return (
            <div key={index} className="squad-wave" data-testid="squad-wave" data-wave={index}>
              <div className="squad-wave-head">
                <strong>Wave {index + 1}</strong>
                <span className="muted small">{waveCaption(index, tasks)}</span>
              </div>
              {tasks.map((task) => (
                <TaskCard
                  key={task.id}
                  squad={squad}
                  task={task}
                  selected={task.id === selected}
                  now={now}
                  cardRef={(el) => {
                    if (el) cards.current.set(task.id, el);
                    else cards.current.delete(task.id);
                  }}
                />
              ))}
            </div>
          );
        })}
      </div>
    </section>
  );
}
