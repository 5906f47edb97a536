import { describe, expect, it } from 'vitest';
import { checkPlan, planFromAnswer, wavesOf } from '../../src/main/services/squads/plan-check';

const task = (id: string, dependsOn: string[] = []) => ({
  id,
  title: `Task ${id}`,
  prompt: `Do ${id}`,
  dependsOn,
});

describe('checking a plan', () => {
  it('orders a diamond into waves by its longest dependency chain', () => {
    const checked = checkPlan(
      { tasks: [task('a'), task('b', ['a']), task('c', ['a']), task('d', ['b', 'c']), task('e')] },
      20,
    );
    expect(checked).toMatchObject({ ok: true, waves: [['a', 'e'], ['b', 'c'], ['d']] });
  });

  it('puts a task after its latest dependency, not its first', () => {
    expect(wavesOf([task('x', ['a', 'c']), task('a'), task('b', ['a']), task('c', ['b'])])).toEqual(
      [['a'], ['b'], ['c'], ['x']],
    );
  });

  it('refuses a cycle and names it', () => {
    const checked = checkPlan(
      { tasks: [task('a', ['c']), task('b', ['a']), task('c', ['b'])] },
      20,
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems).toHaveLength(1);
    expect(checked.problems[0]).toMatch(/cycle: a → c → b → a/);
  });

  it('refuses an unknown dependency, a self-dependency, a repeated id and a repeated dependency', () => {
    const checked = checkPlan(
      { tasks: [task('a', ['ghost']), task('b', ['b']), task('a'), task('c', ['a', 'a'])] },
      20,
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.join('\n')).toMatch(/"a" depends on "ghost", which is not a task/);
    expect(checked.problems.join('\n')).toMatch(/"b" depends on itself/);
    expect(checked.problems.join('\n')).toMatch(/Two tasks have the id "a"/);
    expect(checked.problems.join('\n')).toMatch(/"c" lists "a" twice/);
  });

  it('refuses more tasks than allowed, saying how many', () => {
    const tasks = Array.from({ length: 21 }, (_, i) => task(`t${i + 1}`));
    const checked = checkPlan({ tasks }, 20);
    expect(checked).toEqual({
      ok: false,
      problems: ['The plan has 21 tasks; at most 20 are allowed. Merge related tasks.'],
    });
    expect(checkPlan({ tasks: tasks.slice(0, 20) }, 20).ok).toBe(true);
  });

  it('refuses tasks with bad fields, and a plan that is not a list of tasks', () => {
    const checked = checkPlan({ tasks: [{ id: 'has space', title: '', prompt: 'x' }] }, 20);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problems[0]).toMatch(/^Task 1 \("has space"\): id .*title/);
    expect(checkPlan({ steps: [] }, 20)).toMatchObject({ ok: false });
    expect(checkPlan({ tasks: [] }, 20)).toEqual({
      ok: false,
      problems: ['The plan has no tasks.'],
    });
  });
});

describe("reading the planner's answer", () => {
  it('takes the last fenced json block', () => {
    const answer = 'First idea:\n```json\n{"tasks": 1}\n```\nBetter:\n```json\n{"tasks": 2}\n```\n';
    expect(planFromAnswer(answer)).toEqual({ value: { tasks: 2 } });
  });

  it('reads the object by its braces: a prompt may hold a fence of its own', () => {
    const plan = {
      tasks: [
        {
          id: 'a',
          title: 'A',
          prompt: 'Write a README with\n```bash\nnpm i\n```\n',
          dependsOn: [],
        },
      ],
    };
    const answer = `Plan:\n\`\`\`json\n${JSON.stringify(plan, null, 2)}\n\`\`\`\nDone.`;
    expect(planFromAnswer(answer)).toEqual({ value: plan });
  });

  it('ids are unique whatever their case, and not names Windows reserves', () => {
    const checked = checkPlan({ tasks: [task('A'), task('a'), task('nul')] }, 20);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.join('\n')).toMatch(/Two tasks have the id "a"/);
    expect(checked.problems.join('\n')).toMatch(/"nul" is a reserved name/);
  });

  it('takes a bare object when there is no fence', () => {
    expect(planFromAnswer('Here: {"tasks": []} — done')).toEqual({ value: { tasks: [] } });
  });

  it('says what is wrong when there is no JSON, or broken JSON', () => {
    expect(planFromAnswer('I could not plan this.')).toEqual({
      error: 'The answer holds no plan: reply with the plan as a ```json block.',
    });
    expect(planFromAnswer('```json\n{"tasks": [\n```')).toMatchObject({
      error: expect.stringMatching(/^The plan is not valid JSON/),
    });
  });
});
