import { z } from 'zod';

/** What the host asks the runner to do: `/workspace/ipc/input/job.json`, or stdin. */
export const jobSchema = z.object({
  sessionId: z.string().min(1),
  group: z.string().min(1),
  mode: z.literal('cowork').default('cowork'),
  prompt: z.string().min(1),
  model: z.string().min(1).default('claude-sonnet-4-5'),
  provider: z.enum(['anthropic', 'openai']).default('anthropic'),
  maxTurns: z.number().int().min(1).max(500).default(30),
  timeoutSecs: z.number().int().min(0).max(86_400).default(1800),
  maxTokens: z.number().int().min(1).max(64_000).default(4096),
  chatJid: z.string().optional(),
  isMain: z.boolean().default(false),
  system: z.string().optional(),
  /** After answering, wait this long for a follow-up in ipc/input/ before exiting; 0 = exit. */
  idleTimeoutSecs: z.number().int().min(0).max(86_400).default(0),
});
export type Job = z.infer<typeof jobSchema>;
