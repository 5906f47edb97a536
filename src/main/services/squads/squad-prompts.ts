import type { Squad, SquadTask } from '../../../shared/schemas/squads';

/** What a dependency hands on: long answers are cut, so a prompt stays within reason. */
const ANSWER_CHARS = 6000;
const RESULT_ANSWER_CHARS = 20_000;
/** All dependencies' answers together. */
const HANDED_ON_CHARS = 50_000;

const PLAN_FORMAT = [
  'Reply with the plan as one fenced ```json block of this shape, and nothing after it:',
  '```json',
  '{"tasks": [{"id": "research", "title": "Research the options", "prompt": "…", "dependsOn": []},',
  '           {"id": "write", "title": "Write the report", "prompt": "…", "dependsOn": ["research"]}]}',
  '```',
  'Rules: ids are 1–40 letters, digits, - or _, and unique; dependsOn names only ids of this plan;',
  'no cycles; tasks with no dependency between them run in parallel, so split work that can be',
  'done independently; each prompt must stand on its own (the agent running it sees only its',
  'prompt and the results of the tasks it depends on).',
].join('\n');

export const PLANNER_INTRO =
  'You are the planner of a squad of agents. Split the goal below into tasks for other agents.';

export function plannerPrompt(squad: Squad): string {
  return [
    PLANNER_INTRO,
    `At most ${squad.limits.maxTasks} tasks; up to ${squad.limits.maxConcurrent} run at once; each has ${squad.limits.taskTimeoutSecs} s.`,
    'Do not do the work yourself: you may look at /workspace to plan well, then answer with the plan.',
    '',
    `Goal: ${squad.goal}`,
    ...notes(squad, null),
    '',
    PLAN_FORMAT,
  ].join('\n');
}

export function repairPrompt(problems: string[]): string {
  return [
    ...(problems.length ? ['Your plan was refused:', ...problems.map((p) => `- ${p}`), ''] : []),
    problems.length ? 'Reply with the whole corrected plan.' : 'Reply with the whole plan.',
    PLAN_FORMAT,
  ].join('\n');
}

export function replanPrompt(squad: Squad, feedback: string | undefined): string {
  return [
    'The user asked for a new plan.',
    feedback ? `What to change: ${feedback}` : '',
    ...notes(squad, null),
    '',
    'Reply with the whole new plan.',
    PLAN_FORMAT,
  ]
    .filter(Boolean)
    .join('\n');
}

/** A task's prompt: the goal, its own work, its dependencies' results and the user's notes. */
export function taskPrompt(squad: Squad, task: SquadTask): string {
  const deps = task.dependsOn
    .map((id) => squad.tasks.find((t) => t.id === id))
    .filter((t): t is SquadTask => !!t);
  return [
    `You are one agent of a squad working towards this goal: ${squad.goal}`,
    '',
    `Your task (${task.id}: ${task.title}):`,
    task.prompt,
    ...(deps.length
      ? [
          '',
          'Results of the tasks yours builds on:',
          // Within one prompt's reach however many there are (a session prompt holds 100,000).
          ...deps.flatMap((d) =>
            handedOn(d, Math.min(ANSWER_CHARS, Math.floor(HANDED_ON_CHARS / deps.length))),
          ),
        ]
      : []),
    ...notes(squad, task.id),
    '',
    `Put files your task produces under /workspace/${outputFolder(squad.id, task.id)}/ unless your task names another place.`,
    'End with a short summary of what you did and found: it is handed to the tasks that build on yours.',
  ].join('\n');
}

/** Where a task is asked to put its files, relative to the workspace. */
export function outputFolder(squadId: string, taskId: string): string {
  return `squads/${squadId}/${taskId}`;
}

function handedOn(task: SquadTask, max: number): string[] {
  const answer = task.output?.answer ?? '';
  return [
    `### ${task.id}: ${task.title}`,
    answer.length > max
      ? `${answer.slice(0, max)}… [${answer.length - max} more characters in its transcript]`
      : answer || '(no answer)',
    ...(task.output?.files.length
      ? [`Files it wrote (under /workspace): ${task.output.files.join(', ')}`]
      : []),
  ];
}

function notes(squad: Squad, taskId: string | null): string[] {
  const relevant = squad.steering.filter((s) => s.task === null || s.task === taskId);
  return relevant.length ? ['', 'Notes from the user:', ...relevant.map((s) => `- ${s.text}`)] : [];
}

/** The squad's output: each task's result, wave by wave. */
export function collectResult(squad: Squad): string {
  const byId = new Map(squad.tasks.map((t) => [t.id, t]));
  const sections = squad.waves.flat().flatMap((id) => {
    const task = byId.get(id);
    if (!task) return [];
    const answer = task.output?.answer ?? '';
    return [
      `## ${task.title} (${task.id}): ${task.state}`,
      task.state === 'succeeded'
        ? answer.length > RESULT_ANSWER_CHARS
          ? `${answer.slice(0, RESULT_ANSWER_CHARS)}…`
          : answer || '(no answer)'
        : (task.reason ?? ''),
      ...(task.output?.files.length ? [`Files: ${task.output.files.join(', ')}`] : []),
      '',
    ];
  });
  const done = squad.tasks.filter((t) => t.state === 'succeeded').length;
  return [
    `# ${squad.goal.replace(/\s+/g, ' ').slice(0, 200)}`,
    `${done} of ${squad.tasks.length} tasks succeeded.`,
    '',
    ...sections,
  ]
    .join('\n')
    .trimEnd();
}
