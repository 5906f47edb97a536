import { z } from 'zod';

/** The 17 patterns of the best-known peer; always on, whatever the user's policy says. */
export const DEFAULT_BLOCKED_PATTERNS = [
  '.ssh',
  '.gnupg',
  '.gpg',
  '.aws',
  '.azure',
  '.gcloud',
  '.kube',
  '.docker',
  'credentials',
  '.env',
  '.netrc',
  '.npmrc',
  '.pypirc',
  'id_rsa',
  'id_ed25519',
  'private_key',
  '.secret',
] as const;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export const blockedPatternSchema = z
  .string()
  .trim()
  .min(1, 'a pattern cannot be empty')
  .max(100)
  .refine(
    (p) => !p.includes('/') && !p.includes('\\'),
    'a pattern matches one path component, so it cannot contain a slash',
  )
  .refine((p) => !CONTROL.test(p), 'a pattern cannot contain control characters');

export const allowedRootSchema = z.object({
  path: z.string().trim().min(1, 'the folder path is empty').max(4096),
  allowReadWrite: z.boolean().default(false),
  description: z.string().trim().max(200).default(''),
});
export type AllowedRoot = z.infer<typeof allowedRootSchema>;

export const mountPolicySchema = z
  .object({
    allowedRoots: z.array(allowedRootSchema).max(200).default([]),
    /** The user's own patterns, on top of the defaults. */
    blockedPatterns: z.array(blockedPatternSchema).max(500).default([]),
    /** Agents of groups other than main see every mount read-only. */
    nonMainReadOnly: z.boolean().default(true),
  })
  .meta({ id: 'MountPolicy' });
export type MountPolicy = z.infer<typeof mountPolicySchema>;

export const rootStatusSchema = allowedRootSchema.extend({
  /** Where the root really is, symlinks followed; null when it does not exist now. */
  realPath: z.string().nullable(),
  exists: z.boolean(),
  /** `/`, the home folder or a folder containing it: the guide says be specific. */
  broad: z.boolean(),
});

export const mountSecurityViewSchema = z
  .object({
    policy: mountPolicySchema,
    roots: z.array(rootStatusSchema),
    defaultBlockedPatterns: z.array(z.string()),
    /** Never mountable whatever the policy says: the data folder, runtime sockets. */
    protectedPaths: z.array(z.string()),
  })
  .meta({ id: 'MountSecurity' });
export type MountSecurityView = z.infer<typeof mountSecurityViewSchema>;

export const mountPolicyUpdateSchema = mountPolicySchema.extend({
  /** Required to save a broad root (`/`, home, or a folder containing home). */
  confirmBroad: z.boolean().default(false),
});

export const mountRequestSchema = z.object({
  hostPath: z.string().max(4096),
  /** Name under /workspace/extra/; defaults to the folder's own name. */
  containerPath: z.string().max(255).optional(),
  /** Ask for read-only (default) or read-write. */
  readonly: z.boolean().default(true),
  group: z.string().min(1).max(100).default('main'),
});
export type MountRequest = z.input<typeof mountRequestSchema>;

export const maskedEntrySchema = z.object({
  /** Path inside the mount, relative to its root. */
  path: z.string(),
  kind: z.enum(['file', 'directory']),
  /** The blocked pattern it matched, or `protected` for aigo's own files. */
  pattern: z.string(),
});
export type MaskedEntry = z.infer<typeof maskedEntrySchema>;

export const mountVerdictSchema = z
  .object({
    allowed: z.boolean(),
    /** Why it was refused, or notes on an allowed mount (e.g. read-write downgraded). */
    reason: z.string(),
    /** Machine-readable cause: `blocked_pattern`, `not_under_root`, `not_found`, … */
    code: z.string(),
    hostPath: z.string(),
    realPath: z.string().nullable(),
    containerPath: z.string().nullable(),
    readonly: z.boolean(),
    masked: z.array(maskedEntrySchema),
    /** True when the scan for blocked entries stopped early (a very large folder). */
    maskScanIncomplete: z.boolean(),
    /** Which allowed root admitted it. */
    root: z.string().nullable(),
    fix: z.array(z.string()),
  })
  .meta({ id: 'MountVerdict' });
export type MountVerdict = z.infer<typeof mountVerdictSchema>;
