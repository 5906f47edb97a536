import { describe, expect, it } from 'vitest';
import { squadDiagnostics } from '../../src/main/services/squads/squad-diagnostics';
import type { Squad } from '../../src/shared/schemas/squads';

const squad = (state: Squad['state'], maxConcurrent = 3) =>
  ({ goal: `goal ${state}`, state, limits: { maxConcurrent } }) as Squad;

describe('squad diagnostics', () => {
  it('says when squad tasks can only queue for agent slots, and how to fix it', () => {
    expect(squadDiagnostics([], { squadTasksAtOnce: 3, agentsAtOnce: 3 })).toEqual([]);
    const [wide] = squadDiagnostics([], { squadTasksAtOnce: 4, agentsAtOnce: 2 });
    expect(wide).toMatchObject({ id: 'squads-concurrency', status: 'info' });
    expect(wide?.fix[0]).toMatch(/Raise "Agents at once" to at least 4/);
    // A running squad that asked for more than the default counts too.
    const [asked] = squadDiagnostics([squad('running', 6)], {
      squadTasksAtOnce: 3,
      agentsAtOnce: 3,
    });
    expect(asked?.detail).toMatch(/may run 6 tasks at once, but only 3/);
  });

  it('lists plans that wait for the user', () => {
    const items = squadDiagnostics([squad('planned'), squad('plan_failed'), squad('succeeded')], {
      squadTasksAtOnce: 3,
      agentsAtOnce: 3,
    });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: 'squads-waiting', title: '2 squad plans wait for you' });
    expect(items[0]?.detail).toContain('"goal planned": planned, not run');
  });

  it('warns when a running squad cannot start its tasks, and says why', () => {
    const blocked = {
      ...squad('running'),
      error: 'Tasks wait to start: No container runtime: Docker is not running.',
    } as Squad;
    const [item] = squadDiagnostics([blocked], { squadTasksAtOnce: 3, agentsAtOnce: 3 });
    expect(item).toMatchObject({
      id: 'squads-blocked',
      status: 'warn',
      detail: 'No container runtime: Docker is not running.',
    });
  });
});
