import { z } from 'zod';
import { defineOperation } from './define';
import {
  createSquadSchema,
  squadIdSchema,
  squadMessageSchema,
  squadSchema,
  squadStateSchema,
  squadTaskIdSchema,
  updatePlanSchema,
} from '../schemas/squads';

const byId = z.object({ id: squadIdSchema });

/** Squad mode: a planner agent splits a goal into tasks run in waves of sessions. */
export const squadOperations = {
  'squads.create': defineOperation({
    method: 'POST',
    path: '/api/v1/container/squads',
    tag: 'squads',
    summary:
      'Start a squad: a planner agent splits the goal into tasks with dependencies; the plan waits for Run (or runs at once with autoRun)',
    input: createSquadSchema,
    output: squadSchema,
    successStatus: 201,
  }),
  'squads.list': defineOperation({
    method: 'GET',
    path: '/api/v1/container/squads',
    tag: 'squads',
    summary: 'Squads, newest first',
    input: z.object({
      state: squadStateSchema.optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    output: z.object({ squads: z.array(squadSchema) }),
  }),
  'squads.get': defineOperation({
    method: 'GET',
    path: '/api/v1/container/squads/{id}',
    tag: 'squads',
    summary: "One squad: its plan, each task's state, timings and output",
    input: byId,
    output: squadSchema,
  }),
  'squads.run': defineOperation({
    method: 'POST',
    path: '/api/v1/container/squads/{id}/run',
    tag: 'squads',
    summary: 'Run a planned squad: its tasks start in waves',
    input: byId,
    output: squadSchema,
    successStatus: 202,
  }),
  'squads.updatePlan': defineOperation({
    method: 'PUT',
    path: '/api/v1/container/squads/{id}/plan',
    tag: 'squads',
    summary:
      'Replace a planned squad’s tasks (checked as the planner’s are: ids, dependencies, cycles, count)',
    input: updatePlanSchema,
    output: squadSchema,
  }),
  'squads.replan': defineOperation({
    method: 'POST',
    path: '/api/v1/container/squads/{id}/replan',
    tag: 'squads',
    summary: 'Ask the planner for a new plan, with what to change',
    input: byId.extend({ feedback: z.string().trim().max(20_000).optional() }),
    output: squadSchema,
    successStatus: 202,
  }),
  'squads.message': defineOperation({
    method: 'POST',
    path: '/api/v1/container/squads/{id}/messages',
    tag: 'squads',
    summary:
      'Steer the squad (the planner’s notes, every running task, and tasks yet to start) or one task',
    input: squadMessageSchema,
    output: squadSchema,
    successStatus: 202,
  }),
  'squads.cancel': defineOperation({
    method: 'DELETE',
    path: '/api/v1/container/squads/{id}',
    tag: 'squads',
    summary: 'Cancel the squad: running tasks stop, the rest are skipped',
    input: byId,
    output: squadSchema,
    successStatus: 202,
  }),
  'squads.cancelTask': defineOperation({
    method: 'DELETE',
    path: '/api/v1/container/squads/{id}/tasks/{task}',
    tag: 'squads',
    summary: 'Cancel one task; the tasks that depend on it are skipped',
    input: byId.extend({ task: squadTaskIdSchema }),
    output: squadSchema,
    successStatus: 202,
  }),
} as const;

export type SquadOperationName = keyof typeof squadOperations;
