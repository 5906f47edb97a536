import { planTaskSchema, type PlanTask } from '../../../shared/schemas/squads';

const RESERVED_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

export type PlanCheck =
  { ok: true; tasks: PlanTask[]; waves: string[][] } | { ok: false; problems: string[] };

/**
 * Checks a plan (the planner's or the user's) and orders it into waves: every task's fields,
 * unique ids, dependencies that name tasks of the plan, no cycle, no more than `maxTasks`.
 * Every problem is listed (not just the first), in words the planner can act on in its repair.
 */
export function checkPlan(raw: unknown, maxTasks: number): PlanCheck {
  const list = Array.isArray(raw)
    ? raw
    : raw && typeof raw === 'object' && Array.isArray((raw as { tasks?: unknown }).tasks)
      ? ((raw as { tasks: unknown[] }).tasks as unknown[])
      : null;
  if (!list) return { ok: false, problems: ['The plan must be an object {"tasks": [...]}.'] };
  if (list.length === 0) return { ok: false, problems: ['The plan has no tasks.'] };
  const problems: string[] = [];
  if (list.length > maxTasks)
    problems.push(
      `The plan has ${list.length} tasks; at most ${maxTasks} are allowed. Merge related tasks.`,
    );
  const tasks: PlanTask[] = [];
  list.forEach((item, index) => {
    const parsed = planTaskSchema.safeParse(item);
    if (parsed.success) tasks.push(parsed.data);
    else
      problems.push(
        `Task ${index + 1}${idOf(item)}: ${parsed.error.issues
          .map((i) => `${i.path.join('.') || 'task'} ${i.message}`)
          .join('; ')}.`,
      );
  });
  const ids = new Set<string>();
  // Ids name folders (squads/<squad>/<task>/): unique whatever the case, and usable on Windows.
  const folded = new Set<string>();
  for (const task of tasks) {
    const key = task.id.toLowerCase();
    if (folded.has(key))
      problems.push(
        `Two tasks have the id "${task.id}"; ids must be unique (upper and lower case count as the same).`,
      );
    if (RESERVED_NAMES.test(task.id))
      problems.push(`The id "${task.id}" is a reserved name on Windows; choose another.`);
    ids.add(task.id);
    folded.add(key);
  }
  for (const task of tasks) {
    const seen = new Set<string>();
    for (const dep of task.dependsOn) {
      if (dep === task.id) problems.push(`Task "${task.id}" depends on itself.`);
      else if (!ids.has(dep))
        problems.push(`Task "${task.id}" depends on "${dep}", which is not a task of the plan.`);
      if (seen.has(dep)) problems.push(`Task "${task.id}" lists "${dep}" twice.`);
      seen.add(dep);
    }
  }
  if (problems.length) return { ok: false, problems };
  const cycle = findCycle(tasks);
  if (cycle)
    return {
      ok: false,
      problems: [
        `The dependencies form a cycle: ${cycle.join(' → ')}. A task can only depend on tasks that can finish before it starts.`,
      ],
    };
  return { ok: true, tasks, waves: wavesOf(tasks) };
}

function idOf(item: unknown): string {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 40 ? ` ("${id}")` : '';
}

/** One cycle as a path that starts and ends at the same task, or null. */
function findCycle(tasks: PlanTask[]): string[] | null {
  const deps = new Map(tasks.map((t) => [t.id, t.dependsOn]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const task of tasks) {
    const found = visit(task.id);
    if (found) return found;
  }
  return null;
}

/** A task's wave is one more than its latest dependency's; the plan's order within a wave. */
export function wavesOf(tasks: PlanTask[]): string[][] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const wave = new Map<string, number>();
  const waveOf = (id: string): number => {
    const known = wave.get(id);
    if (known !== undefined) return known;
    const deps = byId.get(id)?.dependsOn ?? [];
    const w = deps.length ? Math.max(...deps.map(waveOf)) + 1 : 0;
    wave.set(id, w);
    return w;
  };
  const waves: string[][] = [];
  for (const task of tasks) (waves[waveOf(task.id)] ??= []).push(task.id);
  return waves;
}

/**
 * The plan in the planner's answer: the JSON object that starts after the last ```json fence
 * (read by its braces, so a prompt may itself hold a fence), else the first object in the text.
 */
export function planFromAnswer(answer: string): { value: unknown } | { error: string } {
  const fences = [...answer.matchAll(/```(?:json)?[ \t]*\n/g)].map((m) => m.index + m[0].length);
  const starts = [...fences.reverse(), 0];
  const candidates = [
    ...starts.map((from) => balancedObject(answer, from)),
    // Unbalanced: parsed anyway, so the repair hears what JSON.parse says is wrong.
    answer.includes('{') ? answer.slice(answer.indexOf('{')) : null,
  ].filter((c): c is string => !!c);
  if (!candidates.length)
    return { error: 'The answer holds no plan: reply with the plan as a ```json block.' };
  let lastError = '';
  for (const text of new Set(candidates)) {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch (error) {
      lastError = (error as Error).message;
    }
  }
  return { error: `The plan is not valid JSON (${lastError}).` };
}

/** The `{…}` that starts at the first brace from `from`, braces in strings not counted. */
function balancedObject(text: string, from: number): string | null {
  const start = text.indexOf('{', from);
  if (start < 0) return null;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return null;
}
