import { z } from 'zod';
/** `20261129-125130-a1b2`: sortable by start, safe as a folder name. */
export const sessionIdSchema = z
  .string()
  .regex(/^\d{8}-\d{6}-[0-9a-f]{4,12}$/, 'a session id looks like 20261129-125130-a1b2');

export const sessionStateSchema = z.enum([
  'queued',
  'starting',
  'running',
  'idle',
  'stopping',
  'ended',
]);
export type SessionState = z.infer<typeof sessionStateSchema>;

export const runTriggerSchema = z.enum(['manual', 'schedule', 'channel', 'squad']);
export const runStatusSchema = z.enum(['succeeded', 'failed', 'timeout', 'cancelled']);
export type RunStatus = z.infer<typeof runStatusSchema>;

const base = { id: z.string(), time: z.string() };

/** One step of a session as the user sees it. */
export const transcriptItemSchema = z.discriminatedUnion('kind', [
  z.object({
    ...base,
    kind: z.literal('user'),
    text: z.string(),
    source: z.enum(['prompt', 'steering']),
  }),
  z.object({ ...base, kind: z.literal('assistant'), text: z.string(), turn: z.number() }),
  z.object({
    ...base,
    kind: z.literal('tool'),
    turn: z.number(),
    tool: z.string(),
    /** The call's input, shortened for display. */
    input: z.string(),
    status: z.enum(['running', 'ok', 'error']),
    /** The start of the result. */
    output: z.string().nullable(),
    ms: z.number().nullable(),
  }),
  z.object({
    ...base,
    kind: z.literal('message'),
    /** The IPC file it came from: the same file is never delivered twice. */
    messageId: z.string(),
    chatJid: z.string(),
    text: z.string(),
    status: z.enum(['kept', 'delivered', 'refused', 'failed']),
    detail: z.string().nullable(),
  }),
  z.object({
    ...base,
    kind: z.literal('task'),
    messageId: z.string(),
    taskType: z.string(),
    summary: z.string(),
    status: z.enum(['kept', 'refused']),
    detail: z.string().nullable(),
  }),
  z.object({
    ...base,
    kind: z.literal('status'),
    level: z.enum(['info', 'warn', 'error']),
    text: z.string(),
  }),
]);
export type TranscriptItem = z.infer<typeof transcriptItemSchema>;
/** A step before it is stamped with its time (each kind keeps its own fields). */
export type TranscriptDraft = TranscriptItem extends infer T
  ? T extends TranscriptItem
    ? Omit<T, 'time'>
    : never
  : never;

export const sessionProgressSchema = z.object({
  turn: z.number(),
  toolCalls: z.number(),
  /** What the agent does right now: `thinking`, `run_command`, `waiting for follow-up`. */
  activity: z.string().nullable(),
});

export const sessionSchema = z
  .object({
    id: sessionIdSchema,
    group: z.string(),
    groupName: z.string(),
    title: z.string(),
    state: sessionStateSchema,
    trigger: runTriggerSchema,
    chatJid: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    /** The container of the current (or last) run. */
    container: z.string().nullable(),
    /** 1 = next to start; null when not queued. */
    queuePosition: z.number().int().nullable(),
    runs: z.number().int(),
    lastStatus: runStatusSchema.nullable(),
    error: z.string().nullable(),
    progress: sessionProgressSchema,
  })
  .meta({ id: 'Session' });
export type Session = z.infer<typeof sessionSchema>;

export const sessionDetailSchema = sessionSchema
  .extend({ transcript: z.array(transcriptItemSchema) })
  .meta({ id: 'SessionDetail' });
export type SessionDetail = z.infer<typeof sessionDetailSchema>;

export const createSessionSchema = z
  .object({
    /** Group id or name; the main group when left out. */
    group: z.string().trim().min(1).max(100).default('main'),
    prompt: z.string().trim().min(1, 'type a task for the agent').max(100_000),
    /** `squad` sessions are started by a squad only. */
    trigger: z.enum(['manual', 'schedule', 'channel']).default('manual'),
    chatJid: z.string().trim().max(200).optional(),
  })
  .strict()
  .meta({ id: 'SessionCreate' });

export const listSessionsSchema = z.object({
  group: z.string().max(100).optional(),
  state: sessionStateSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const ipcDirectoriesSchema = z.object({
  group: z.string().trim().min(1).max(100),
  session: sessionIdSchema,
});
export const ipcDirectoriesResultSchema = z
  .object({
    group: z.string(),
    session: z.string(),
    root: z.string(),
    input: z.string(),
    messages: z.string(),
    tasks: z.string(),
    created: z.boolean(),
  })
  .meta({ id: 'IpcDirectories' });

export const runRecordSchema = z
  .object({
    id: z.string(),
    group: z.string(),
    session: z.string(),
    trigger: runTriggerSchema,
    image: z.string(),
    container: z.string().nullable(),
    startedAt: z.string(),
    endedAt: z.string(),
    exitCode: z.number().int().nullable(),
    status: runStatusSchema,
    durationMs: z.number(),
    error: z.string().nullable(),
    /** The end of the runner's output. */
    outputTail: z.string(),
    mounts: z.array(z.object({ source: z.string(), target: z.string(), readonly: z.boolean() })),
  })
  .meta({ id: 'RunRecord' });
export type RunRecord = z.infer<typeof runRecordSchema>;

export const runQuerySchema = z.object({
  group: z.string().max(100).optional(),
  session: z.string().max(100).optional(),
  status: runStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Paging: runs older than the run with this id. */
  before: z.string().max(100).optional(),
});
