import { z } from 'zod';
import { imageRefSchema } from './settings';

/** The product's rule: non-empty, no leading `-`, only `[A-Za-z0-9_.\-:/]`. */
export const groupNameSchema = z
  .string()
  .trim()
  .min(1, 'a group name cannot be empty')
  .max(100)
  .refine((n) => !n.startsWith('-'), 'a group name cannot start with "-"')
  .refine(
    (n) => /^[A-Za-z0-9_.\-:/]+$/.test(n),
    'a group name may only use letters, digits and _ . - : /',
  );

/** A chat address: `tg:123456789`, `slack:C01234567`, `discord:…`, `wa:…`. */
export const chatJidSchema = z
  .string()
  .trim()
  .min(3)
  .max(200)
  .regex(/^[a-z]+:[A-Za-z0-9_.@\-:/+]+$/, 'a chat JID looks like tg:123456789 or slack:C01234567');

export const groupMountSchema = z.object({
  hostPath: z.string().trim().min(1).max(4096),
  /** Name under /workspace/extra/; defaults to the folder's own name. */
  containerPath: z.string().trim().max(255).optional(),
  readonly: z.boolean().default(true),
});

export const containerConfigSchema = z.object({
  /** null: the agent image (`aigo-agent-runner:latest`). */
  image: imageRefSchema.nullable().default(null),
  /** Hard limit of one container run; 0 = no limit. */
  timeoutSecs: z.number().int().min(0).max(86_400).default(1800),
  /** Keep the container waiting for follow-ups this long after it answers; null = exit at once. */
  idleTimeoutSecs: z.number().int().min(10).max(86_400).nullable().default(null),
  memoryMb: z.number().int().min(128).max(65_536).default(2048),
  cpus: z.number().min(0.1).max(64).default(2),
  /** A few `docker run` options; the dangerous ones are refused (and audited). */
  extraRunArgs: z.array(z.string().trim().min(1).max(200)).max(20).default([]),
});
export type ContainerConfig = z.infer<typeof containerConfigSchema>;

export const groupSchema = z
  .object({
    id: z.string(),
    name: groupNameSchema,
    /** The folder under DATA_DIR/sessions/ (the name made safe for every file system). */
    folder: z.string(),
    description: z.string().max(500),
    isMain: z.boolean(),
    chatJids: z.array(chatJidSchema).max(100),
    /** In group chats, a message must contain this to reach the agent (when required). */
    trigger: z.string().max(50),
    requiresTrigger: z.boolean(),
    /** Senders allowed to reach this group's agent; empty = everyone in its chats. */
    senderAllowlist: z.array(z.string().trim().min(1).max(200)).max(500),
    /** The folder mounted at /workspace; null = aigo's own folder for the group. */
    workspaceFolder: z.string().max(4096).nullable(),
    mounts: z.array(groupMountSchema).max(50),
    containerConfig: containerConfigSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Group' });
export type Group = z.infer<typeof groupSchema>;

const editable = {
  description: z.string().trim().max(500),
  chatJids: z.array(chatJidSchema).max(100),
  trigger: z.string().trim().max(50),
  requiresTrigger: z.boolean(),
  senderAllowlist: z.array(z.string().trim().min(1).max(200)).max(500),
  workspaceFolder: z.string().trim().min(1).max(4096).nullable(),
  mounts: z.array(groupMountSchema).max(50),
};

export const createGroupSchema = z
  .object({
    name: groupNameSchema,
    description: editable.description.default(''),
    chatJids: editable.chatJids.default([]),
    trigger: editable.trigger.default('@aigo'),
    requiresTrigger: editable.requiresTrigger.default(true),
    senderAllowlist: editable.senderAllowlist.default([]),
    workspaceFolder: editable.workspaceFolder.default(null),
    mounts: editable.mounts.default([]),
    containerConfig: containerConfigSchema.partial().default({}),
  })
  .strict()
  .meta({ id: 'GroupCreate' });
export type CreateGroup = z.input<typeof createGroupSchema>;

export const updateGroupSchema = z
  .object({
    id: z.string().min(1).max(100),
    name: groupNameSchema.optional(),
    description: editable.description.optional(),
    chatJids: editable.chatJids.optional(),
    trigger: editable.trigger.optional(),
    requiresTrigger: editable.requiresTrigger.optional(),
    senderAllowlist: editable.senderAllowlist.optional(),
    workspaceFolder: editable.workspaceFolder.optional(),
    mounts: editable.mounts.optional(),
    containerConfig: containerConfigSchema.partial().optional(),
  })
  .strict()
  .meta({ id: 'GroupUpdate' });
export type UpdateGroup = z.input<typeof updateGroupSchema>;
