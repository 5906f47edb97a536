import { z } from 'zod';
import { imageRefSchema } from './settings';

export const scheduleTypeSchema = z.enum(['cron', 'interval', 'once']);

/** `{type: "cron", value: "0 9 * * 1-5"}`, `{type: "interval", value: "3600000"}` (ms), `{type: "once", value: ISO time}`. */
export const scheduleSpecSchema = z.object({
  type: scheduleTypeSchema,
  value: z.string().trim().min(1, 'the schedule value is empty').max(200),
});
export type ScheduleSpec = z.infer<typeof scheduleSpecSchema>;

export const scheduleRunStatusSchema = z.enum([
  'running',
  'succeeded',
  'failed',
  'timeout',
  'skipped',
  'cancelled',
]);
export type ScheduleRunStatus = z.infer<typeof scheduleRunStatusSchema>;

export const scheduleContainerConfigSchema = z.object({
  /** null: the group's image. */
  image: imageRefSchema.nullable().default(null),
  /** 0 = no limit. */
  timeoutSecs: z.number().int().min(0).max(86_400).default(300),
});

export const scheduleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    /** The group's name. */
    group: z.string(),
    prompt: z.string(),
    schedule: scheduleSpecSchema,
    /** IANA zone for cron; null = the system's. */
    timezone: z.string().nullable(),
    containerConfig: scheduleContainerConfigSchema,
    /** `group`: each run continues this schedule's session; `isolated`: a fresh one every time. */
    contextMode: z.enum(['group', 'isolated']),
    /** Runs missed while aigo was not running: run once at start, or skip them. */
    missedRuns: z.enum(['run_once', 'skip']),
    enabled: z.boolean(),
    nextRun: z.string().nullable(),
    lastRun: z.string().nullable(),
    lastStatus: scheduleRunStatusSchema.nullable(),
    /** The session of the run under way, if any. */
    runningSession: z.string().nullable(),
    /** Who made it: the user, or an agent through IPC (its group). */
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Schedule' });
export type Schedule = z.infer<typeof scheduleSchema>;

const editable = {
  name: z.string().trim().min(1, 'give the schedule a name').max(120),
  group: z.string().trim().min(1).max(100),
  prompt: z.string().trim().min(1, 'type what the agent should do').max(100_000),
  schedule: scheduleSpecSchema,
  timezone: z.string().trim().min(1).max(100).nullable(),
  containerConfig: scheduleContainerConfigSchema.partial(),
  contextMode: z.enum(['group', 'isolated']),
  missedRuns: z.enum(['run_once', 'skip']),
  enabled: z.boolean(),
};

export const createScheduleSchema = z
  .object({
    name: editable.name,
    group: editable.group.default('main'),
    prompt: editable.prompt,
    schedule: editable.schedule,
    timezone: editable.timezone.default(null),
    containerConfig: editable.containerConfig.default({}),
    contextMode: editable.contextMode.default('group'),
    missedRuns: editable.missedRuns.default('run_once'),
    enabled: editable.enabled.default(true),
  })
  .strict()
  .meta({ id: 'ScheduleCreate' });
export type CreateSchedule = z.input<typeof createScheduleSchema>;

export const updateScheduleSchema = z
  .object({
    id: z.string().min(1).max(100),
    name: editable.name.optional(),
    group: editable.group.optional(),
    prompt: editable.prompt.optional(),
    schedule: editable.schedule.optional(),
    timezone: editable.timezone.optional(),
    containerConfig: editable.containerConfig.optional(),
    contextMode: editable.contextMode.optional(),
    missedRuns: editable.missedRuns.optional(),
    enabled: editable.enabled.optional(),
  })
  .strict()
  .meta({ id: 'ScheduleUpdate' });
export type UpdateSchedule = z.input<typeof updateScheduleSchema>;

export const scheduleRunLogSchema = z
  .object({
    runId: z.string(),
    scheduleId: z.string(),
    scheduledFor: z.string(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    /** How long after its due time the run started. */
    lateByMs: z.number(),
    status: scheduleRunStatusSchema,
    error: z.string().nullable(),
    sessionId: z.string().nullable(),
    outputTail: z.string(),
  })
  .meta({ id: 'ScheduleRunLog' });
export type ScheduleRunLog = z.infer<typeof scheduleRunLogSchema>;

export const schedulePreviewSchema = z
  .object({
    valid: z.boolean(),
    /** "At 09:00, Monday through Friday". */
    description: z.string(),
    /** The next fire times, ISO, in order. */
    nextRuns: z.array(z.string()),
    /** The zone the times are computed in. */
    timezone: z.string(),
    error: z.string().nullable(),
  })
  .meta({ id: 'SchedulePreview' });
export type SchedulePreview = z.infer<typeof schedulePreviewSchema>;
