import type { Session } from '../../../shared/schemas/sessions';
import type { PlanTask } from '../../../shared/schemas/squads';
import { checkPlan, planFromAnswer } from './plan-check';
import { AppError } from '../../../shared/errors';
import { PLANNER_INTRO, plannerPrompt, repairPrompt, replanPrompt } from './squad-prompts';
import { NOT_STARTED, type SquadEntry, type SquadServiceDeps } from './squad-types';
import { finalAnswer } from './task-output';

export interface SquadBook {
  save(entry: SquadEntry): Promise<void>;
  track(session: string, squad: string, task: string | null): void;
  /** aigo is stopping: nothing new starts. */
  stopping(): boolean;
  /** Runs `work` in the squad's turn (see SquadService.serial). */
  serial<T>(entry: SquadEntry, work: () => Promise<T>): Promise<T>;
  /** Whether "Pause all agents" stopped this session (asked once: the mark is removed). */
  stoppedByPause(session: string): boolean;
}

/**
 * The planner's side of a squad: its session is asked for a plan, the answer is checked, a
 * refused plan goes back once with the problems (the repair), and a valid one waits for the user
 * (or runs at once with autoRun).
 */
export class SquadPlanning {
  constructor(
    private readonly deps: SquadServiceDeps,
    private readonly book: SquadBook,
    private readonly run: (entry: SquadEntry) => Promise<void>,
  ) {}

  /** The first plan. */
  async plan(entry: SquadEntry): Promise<void> {
    await this.ask(entry, plannerPrompt(entry.squad));
  }

  async replan(entry: SquadEntry, feedback: string | undefined): Promise<void> {
    entry.repairsLeft = 1;
    await this.ask(entry, replanPrompt(entry.squad, feedback));
  }

  /** The user's plan, or a valid one from the planner: it replaces the tasks. */
  adopt(entry: SquadEntry, tasks: PlanTask[], waves: string[][]): void {
    const waveOf = new Map(waves.flatMap((ids, wave) => ids.map((id) => [id, wave] as const)));
    Object.assign(entry.squad, {
      state: 'planned',
      waves,
      error: null,
      tasks: tasks.map((t) => ({
        ...t,
        wave: waveOf.get(t.id) ?? 0,
        ...NOT_STARTED,
      })),
    });
    entry.squad.planner.problems = [];
  }

  async plannerEnded(entry: SquadEntry, session: Session): Promise<void> {
    const { squad } = entry;
    if (squad.state !== 'planning' || squad.planner.session !== session.id) return;
    if (session.lastStatus === 'cancelled' && this.book.stoppedByPause(session.id)) {
      // Paused before it answered: asked again, it plans once the agents are resumed.
      await this.ask(entry, 'You were paused before you answered. ' + repairPrompt([]));
      return;
    }
    if (session.lastStatus !== 'succeeded') {
      await this.failed(
        entry,
        `The planner's session ${session.lastStatus ?? 'ended'}${session.error ? `: ${session.error}` : ''}. Re-plan to try again.`,
      );
      return;
    }
    // Read whole: the plan is in it, however long (only what a task hands on is cut).
    const answer = finalAnswer(
      (await this.deps.sessions.get(session.id)).transcript,
      Number.POSITIVE_INFINITY,
    );
    if (squad.state !== 'planning' || squad.planner.session !== session.id) return;
    const read = planFromAnswer(answer);
    const checked =
      'error' in read
        ? { ok: false as const, problems: [read.error] }
        : checkPlan(read.value, squad.limits.maxTasks);
    if (checked.ok) {
      this.adopt(entry, checked.tasks, checked.waves);
      await this.book.save(entry);
      if (squad.autoRun) await this.run(entry);
      return;
    }
    squad.planner.problems = checked.problems;
    if (entry.repairsLeft > 0) {
      entry.repairsLeft--;
      await this.ask(entry, repairPrompt(checked.problems));
      return;
    }
    await this.failed(
      entry,
      `The planner's plan was refused, also after it was asked to repair it: ${checked.problems.join(' ')} Edit the plan yourself or re-plan.`,
    );
  }

  async cancel(entry: SquadEntry): Promise<void> {
    const planner = entry.squad.planner.session;
    Object.assign(entry.squad, {
      state: 'cancelled',
      endedAt: new Date().toISOString(),
      error: null,
    });
    await this.book.save(entry);
    if (planner && this.deps.sessions.peek(planner)?.state !== 'ended')
      await this.deps.sessions.close(planner);
  }

  /** aigo stopped while the planner worked: its session ended with aigo. */
  async recover(entry: SquadEntry): Promise<void> {
    const planner = entry.squad.planner.session;
    const session = planner ? this.deps.sessions.peek(planner) : null;
    if (session?.state === 'ended' && session.lastStatus === 'succeeded') {
      entry.repairsLeft = 1;
      await this.plannerEnded(entry, session);
    } else if (this.deps.settings().onRestart === 'rerun') {
      entry.repairsLeft = 1;
      await this.ask(entry, 'aigo restarted while you planned. ' + plannerPrompt(entry.squad));
    } else
      await this.failed(
        entry,
        'aigo stopped while the planner worked. Re-plan to try again (Settings > Squads > After a restart: run again, to have it done by itself).',
      );
  }

  /**
   * Starts the planner, or resumes its ended session with the next request (its conversation
   * kept). A planner session someone resumed (from Cowork) is still working: refused, since two
   * answers would race.
   */
  private async ask(entry: SquadEntry, prompt: string): Promise<void> {
    const { squad } = entry;
    const existing = squad.planner.session ? this.deps.sessions.peek(squad.planner.session) : null;
    if (existing && existing.state !== 'ended')
      throw new AppError(
        'CONFLICT',
        `The planner's session ${existing.id} is ${existing.state} (resumed from Cowork?); wait until it has ended, or stop it, then re-plan.`,
      );
    const first = !existing;
    Object.assign(squad, { state: 'planning', error: null });
    squad.planner.attempts++;
    const overrides = { timeoutSecs: squad.limits.taskTimeoutSecs, idleTimeoutSecs: 0 };
    try {
      const session = existing
        ? await this.deps.sessions.message(existing.id, prompt, overrides)
        : await this.deps.sessions.create({
            group: squad.group,
            // A new session knows nothing yet: the goal and format first, then the request.
            prompt: prompt.startsWith(PLANNER_INTRO)
              ? prompt
              : `${plannerPrompt(squad)}\n\n${prompt}`,
            trigger: 'squad',
            overrides,
          });
      squad.planner.session = session.id;
      this.book.track(session.id, squad.id, null);
    } catch (error) {
      await this.failed(
        entry,
        `The planner could not start: ${(error as Error).message}${first ? '' : ' Re-plan to try again.'}`,
      );
      throw error;
    }
    await this.book.save(entry);
  }

  private async failed(entry: SquadEntry, error: string): Promise<void> {
    Object.assign(entry.squad, { state: 'plan_failed', error, endedAt: null });
    await this.book.save(entry);
  }
}
