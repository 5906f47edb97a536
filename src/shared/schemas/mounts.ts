import { z } from 'zod';

/**
 * Always on, whatever the user's policy says: the 17 patterns of the best-known peer, then what
 * people keep secrets in today. A pattern with a slash matches consecutive path components.
 */
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
  '.envrc',
  '.pgpass',
  '.git-credentials',
  'secrets.yaml',
  'secrets.yml',
  'secrets.json',
  'secrets.toml',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '.config/gcloud',
  'gh/hosts.yml',
  'application_default_credentials.json',
  'access_tokens.db',
  '.terraformrc',
  '.vault-token',
] as const;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export const blockedPatternSchema = z
  .string()
  .trim()
  .min(1, 'a pattern cannot be empty')
  .max(100)
  .refine(
    (p) => !p.includes('\\') && p.split('/').every((part) => part !== '' && part !== '..'),
    'a pattern is a name, or names joined by "/" (like ".config/gcloud"), without "..", empty names or backslashes',
  )
  .refine((p) => !CONTROL.test(p), 'a pattern cannot contain control characters');

export const allowedRootSchema = z.object({
  path: z.string().trim().min(1, 'the folder path is empty').max(4096),
  allowReadWrite: z.boolean().default(false),
  description: z.string().trim().max(200).default(''),
  /**
   * Where the root really was when the user allowed it (set by aigo, never taken from input).
   * If its real path changes later, the root admits nothing until the user confirms it again.
   */
  confirmedRealPath: z.string().nullable().default(null),
});
export type AllowedRoot = z.infer<typeof allowedRootSchema>;

export const mountPolicySchema = z
  .object({
    allowedRoots: z.array(allowedRootSchema).max(200).default([]),
    /** The user's own patterns, on top of the defaults. */
    blockedPatterns: z.array(blockedPatternSchema).max(500).default([]),
    /** Agents of groups other than main see every mount read-only. */
    nonMainReadOnly: z.boolean().default(true),
    /** Leave `.git/config` files whose remote URL holds a token visible to agents. */
    exposeGitCredentials: z.boolean().default(false),
  })
  .meta({ id: 'MountPolicy' });
export type MountPolicy = z.infer<typeof mountPolicySchema>;

export const rootStatusSchema = allowedRootSchema.extend({
  /** Where the root really is, symlinks followed; null when it does not exist now. */
  realPath: z.string().nullable(),
  exists: z.boolean(),
  /** `/`, the home folder or a folder containing it: the guide says be specific. */
  broad: z.boolean(),
  /** Why this root admits nothing now (moved since it was confirmed, a system folder), or null. */
  problem: z.string().nullable(),
  /** The root's real path moved since it was confirmed: `reconfirmRoots` accepts the new one. */
  needsReconfirm: z.boolean(),
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
  /** Roots (as listed) whose new real path the user accepts after it moved. */
  reconfirmRoots: z.array(z.string().max(4096)).max(200).default([]),
});
/** What a caller sends to change the policy; anything left out takes its default. */
export type MountPolicyInput = z.input<typeof mountPolicyUpdateSchema>;

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
  /**
   * Why it is hidden: the blocked pattern it matched, `protected` (aigo's own files), `socket`,
   * `fifo`, `device`, `hard link to ~/.ssh/id_rsa`, or `git credentials`.
   */
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
