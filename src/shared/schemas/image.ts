import { z } from 'zod';

export const AGENT_IMAGE = 'aigo-agent-runner:latest';

/**
 * The image itself: `missing`, `ready`, `outdated`, or `unknown` (no runtime to ask), and
 * `building` while a build runs. `failed` and `cancelled` mean "no image to use, and the last
 * build failed / was cancelled"; a failed or cancelled build over a usable image leaves it
 * `ready` or `outdated`, and `lastBuild` tells how that build ended.
 */
export const imageStateSchema = z.enum([
  'missing',
  'building',
  'ready',
  'outdated',
  'unknown',
  'failed',
  'cancelled',
]);
export type ImageState = z.infer<typeof imageStateSchema>;

export const buildProgressSchema = z.object({
  step: z.number(),
  totalSteps: z.number(),
  percent: z.number(),
  currentLine: z.string(),
});
export type BuildProgress = z.infer<typeof buildProgressSchema>;

/** How the last build ended, kept until the next one ends (a failure until a build succeeds). */
export const lastBuildSchema = z.object({
  outcome: z.enum(['succeeded', 'failed', 'cancelled']),
  error: z.string().nullable(),
  /** What to do about it, in the troubleshooting guide's words. */
  hint: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
});
export type LastBuild = z.infer<typeof lastBuildSchema>;

export const imageStatusSchema = z
  .object({
    state: imageStateSchema,
    image: z.string(),
    imageId: z.string().nullable(),
    sizeBytes: z.number().nullable(),
    builtAt: z.string().nullable(),
    /** The app version the image was built by. */
    appVersion: z.string().nullable(),
    /** Hash of the build context the image was built from; `currentContextHash` is the app's. */
    contextHash: z.string().nullable(),
    currentContextHash: z.string().nullable(),
    progress: buildProgressSchema.nullable(),
    /** The tail of the build log (last 200 lines). */
    output: z.string(),
    error: z.string().nullable(),
    /** What to do about the cause found, in the troubleshooting guide's words. */
    hint: z.string().nullable(),
    buildStartedAt: z.string().nullable(),
    buildFinishedAt: z.string().nullable(),
    /** The last finished build (null: none since aigo started), whatever the image's state. */
    lastBuild: lastBuildSchema.nullable(),
  })
  .meta({ id: 'ImageStatus' });
export type ImageStatus = z.infer<typeof imageStatusSchema>;

export const buildRequestSchema = z.object({
  /** Overrides Settings > Container > Image for this build only. */
  baseImage: z.string().trim().min(1).max(300).optional(),
  installTools: z.boolean().optional(),
});
