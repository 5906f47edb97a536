import { z } from 'zod';
import { squadSettingsSchema } from './settings';

/** `sq-20261129-125130-a1b2`: sortable by creation, safe as a file name. */
export const squadIdSchema = z
  .string()
  .regex(/^sq-\d{8}-\d{6}-[0-9a-f]{4,12}$/, 'a squad id looks like sq-20261129-125130-a1b2');

/** A task id the planner (or the user) chose: short, readable, safe in a path. */
export const squadTaskIdSchema = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,39}$/i,
    'a task id is 1–40 letters, digits, - or _ (e.g. "research" or "t1")',
  );

export const squadTaskStateSchema = z.enum([
  /** Waits for its dependencies (or for the plan to run). */
  'pending',
  /** Its session was started (it may wait in the global queue first). */
  'running',
  'succeeded',
  'failed',
  'timeout',
  'cancelled',
  /** Never ran: a dependency did not succeed, or the squad stopped first. */
  'skipped',
]);
export type SquadTaskState = z.infer<typeof squadTaskStateSchema>;

export const squadStateSchema = z.enum([
  /** The planner agent works on the plan (or its repair). */
  'planning',
  /** The plan is ready and waits for the user: run it, edit it, or have it re-planned. */
  'planned',
  'running',
  /** Every task succeeded. */
  'succeeded',
  /** It ran to the end, but some task failed, timed out or was skipped. */
  'failed',
  /** The execution timeout stopped it. */
  'timeout',
  'cancelled',
  /** The planner gave no valid plan, even after the repair round. */
  'plan_failed',
]);
export type SquadState = z.infer<typeof squadStateSchema>;

/** A task as planned: what the planner returns and the user may edit. */
export const planTaskSchema = z.object({
  id: squadTaskIdSchema,
  title: z.string().trim().min(1, 'give the task a title').max(200),
  prompt: z.string().trim().min(1, 'give the task a prompt').max(20_000),
  dependsOn: z.array(z.string().trim().max(40)).max(50).default([]),
});
export type PlanTask = z.infer<typeof planTaskSchema>;

export const squadTaskSchema = planTaskSchema.extend({
  /** 0 = first wave: the tasks that depend on nothing. */
  wave: z.number().int(),
  state: squadTaskStateSchema,
  /** The agent session that runs (or ran) it. */
  session: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** Why it failed, timed out, was cancelled or skipped. */
  reason: z.string().nullable(),
  /** What it handed on: its final answer and the workspace files it wrote. */
  output: z.object({ answer: z.string(), files: z.array(z.string()) }).nullable(),
});
export type SquadTask = z.infer<typeof squadTaskSchema>;

export const squadLimitsSchema = squadSettingsSchema.pick({
  maxConcurrent: true,
  maxTasks: true,
  taskTimeoutSecs: true,
  executionTimeoutSecs: true,
});
export type SquadLimits = z.infer<typeof squadLimitsSchema>;

export const squadSteeringSchema = z.object({
  time: z.string(),
  text: z.string(),
  /** A task id, or null for the whole squad. */
  task: z.string().nullable(),
});

export const squadSchema = z
  .object({
    id: squadIdSchema,
    group: z.string(),
    groupName: z.string(),
    goal: z.string(),
    state: squadStateSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    /** When the plan started running, and when the squad ended. */
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    limits: squadLimitsSchema,
    /** Run the plan as soon as it is valid, without waiting for the user. */
    autoRun: z.boolean(),
    planner: z.object({
      /** The planner's session (its transcript is the plan's reasoning). */
      session: z.string().nullable(),
      /** Planner runs so far: the first plan, a repair, each re-plan. */
      attempts: z.number().int(),
      /** What was wrong with the last plan the planner returned, if anything. */
      problems: z.array(z.string()),
    }),
    tasks: z.array(squadTaskSchema),
    /** Task ids by wave, in order. */
    waves: z.array(z.array(z.string())),
    steering: z.array(squadSteeringSchema),
    /** The tasks' results collected, once it has ended. */
    result: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'Squad' });
export type Squad = z.infer<typeof squadSchema>;

const limitFields = {
  maxConcurrent: z.number().int().min(1).max(16).optional(),
  maxTasks: z.number().int().min(1).max(50).optional(),
  taskTimeoutSecs: z.number().int().min(10).max(86_400).optional(),
  executionTimeoutSecs: z.number().int().min(30).max(604_800).optional(),
};

export const createSquadSchema = z
  .object({
    /** Group id or name; the main group when left out. */
    group: z.string().trim().min(1).max(100).default('main'),
    goal: z.string().trim().min(1, 'describe what the squad should do').max(20_000),
    ...limitFields,
    autoRun: z.boolean().default(false),
  })
  .strict()
  .meta({ id: 'SquadCreate' });

export const updatePlanSchema = z
  .object({
    id: squadIdSchema,
    tasks: z.array(planTaskSchema).min(1, 'a plan needs at least one task').max(50),
  })
  .strict();

export const squadMessageSchema = z
  .object({
    id: squadIdSchema,
    text: z.string().trim().min(1).max(20_000),
    /** One task's id; the whole squad (planner and every running task) when left out. */
    task: squadTaskIdSchema.optional(),
  })
  .strict();
