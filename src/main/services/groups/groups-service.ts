import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import {
  containerConfigSchema,
  createGroupSchema,
  groupSchema,
  updateGroupSchema,
  type CreateGroup,
  type Group,
  type UpdateGroup,
} from '../../../shared/schemas/groups';
import type { WarningCenter } from '../app/warnings';
import type { AuditLog } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { MountSecurityService } from '../mounts/mount-security-service';
import { JsonStore } from '../store/json-store';
import { checkExtraRunArgs } from './run-args';

export const GROUPS_FILE = 'groups.json';
export const MAIN_GROUP_NAME = 'main';

const groupsFileSchema = z.object({ groups: z.array(groupSchema).default([]) });

export interface GroupsDeps {
  dataDir: string;
  bus: EventBus;
  audit: AuditLog;
  logger: Logger;
  warnings: WarningCenter;
  mounts: MountSecurityService;
  /** Refuses a delete while one of the group's sessions is active. */
  activeSessions: (groupId: string) => number;
}

/**
 * A folder name for a group, safe on every file system: the name itself when it is plain,
 * otherwise the name made plain plus a short hash, so `tg:1` and `tg/1` never share a folder.
 */
export function groupFolder(name: string): string {
  const plain = name.replace(/[^A-Za-z0-9_-]/g, '_');
  if (plain === name) return name;
  return `${plain.slice(0, 60)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/**
 * Groups (namespaces): who an agent works for, which chats it answers, which folders it sees
 * and how its container is limited. Exactly one main group exists, created on first start.
 * Every folder is checked by mount security when saved, and again at each container start.
 */
export class GroupsService {
  private readonly store: JsonStore<typeof groupsFileSchema>;

  constructor(private readonly deps: GroupsDeps) {
    this.store = new JsonStore({
      path: join(deps.dataDir, GROUPS_FILE),
      schema: groupsFileSchema,
      defaults: () => ({ groups: [] }),
      label: 'The groups file',
      warningCode: 'GROUPS_CORRUPT',
      logger: deps.logger,
      warnings: deps.warnings,
    });
  }

  async start(): Promise<void> {
    await this.store.load();
    if (!this.list().some((g) => g.isMain)) {
      const now = new Date().toISOString();
      const main: Group = {
        ...this.fromCreate(createGroupSchema.parse({ name: MAIN_GROUP_NAME })),
        description: 'Your own agent: may message any chat and manage every task.',
        isMain: true,
        requiresTrigger: false,
        createdAt: now,
        updatedAt: now,
      };
      await this.save([main, ...this.list()]);
      this.deps.logger.info('Main group created');
    }
  }

  stop(): Promise<void> {
    return this.store.flush();
  }

  list(): Group[] {
    return [...this.store.get().groups].sort((a, b) =>
      a.isMain === b.isMain ? a.name.localeCompare(b.name) : a.isMain ? -1 : 1,
    );
  }

  main(): Group {
    const main = this.list().find((g) => g.isMain);
    if (!main) throw new AppError('INTERNAL', 'The main group is missing; restart aigo.');
    return main;
  }

  /** By id, or by name (what users type in `aigo api` and what agents see). */
  get(idOrName: string): Group {
    const group = this.find(idOrName);
    if (!group)
      throw new AppError(
        'NOT_FOUND',
        `No group "${idOrName}". GET /api/v1/container/namespaces lists them; Settings > Container > Groups adds one.`,
        { group: idOrName },
      );
    return group;
  }

  /** An id always wins: a group may be named like another group's id (names allow UUIDs). */
  find(idOrName: string): Group | null {
    const groups = this.list();
    return groups.find((g) => g.id === idOrName) ?? groups.find((g) => g.name === idOrName) ?? null;
  }

  byFolder(folder: string): Group | null {
    return this.list().find((g) => g.folder === folder) ?? null;
  }

  async create(input: CreateGroup): Promise<Group> {
    const parsed = createGroupSchema.parse(input);
    const now = new Date().toISOString();
    const group: Group = { ...this.fromCreate(parsed), createdAt: now, updatedAt: now };
    this.assertUnique(group);
    await this.checkFolders(group);
    await this.save([...this.list(), group]);
    this.audit(`Group "${group.name}" created`, group, { after: group });
    return group;
  }

  async update(input: UpdateGroup): Promise<Group> {
    const { id, containerConfig, ...patch } = updateGroupSchema.parse(input);
    const before = this.get(id);
    if (before.isMain && patch.name !== undefined && patch.name !== before.name)
      throw new AppError('INVALID_INPUT', 'The main group keeps its name ("main").');
    const definedPatch = Object.fromEntries(
      Object.entries(patch).filter(([, v]) => v !== undefined),
    ) as Partial<Group>;
    const after: Group = {
      ...before,
      ...definedPatch,
      folder: before.folder, // a rename keeps the sessions where they are
      containerConfig: containerConfigSchema.parse({
        ...before.containerConfig,
        ...containerConfig,
      }),
      updatedAt: new Date().toISOString(),
    };
    this.assertUnique(after);
    await this.checkFolders(after);
    await this.save(this.list().map((g) => (g.id === after.id ? after : g)));
    this.audit(`Group "${after.name}" changed`, after, { before, after });
    return after;
  }

  async delete(idOrName: string): Promise<void> {
    const group = this.get(idOrName);
    if (group.isMain)
      throw new AppError('FORBIDDEN', 'The main group cannot be deleted: aigo needs one.');
    const active = this.deps.activeSessions(group.id);
    if (active > 0)
      throw new AppError(
        'CONFLICT',
        `Group "${group.name}" has ${active} session${active === 1 ? '' : 's'} running or queued. Stop ${active === 1 ? 'it' : 'them'} on the Cowork page first.`,
        { active },
      );
    await this.save(this.list().filter((g) => g.id !== group.id));
    this.audit(`Group "${group.name}" deleted`, group, { before: group });
  }

  private fromCreate(
    parsed: z.output<typeof createGroupSchema>,
  ): Omit<Group, 'createdAt' | 'updatedAt'> {
    return {
      id: randomUUID(),
      name: parsed.name,
      folder: groupFolder(parsed.name),
      description: parsed.description,
      isMain: false,
      chatJids: [...new Set(parsed.chatJids)],
      trigger: parsed.trigger,
      requiresTrigger: parsed.requiresTrigger,
      senderAllowlist: parsed.senderAllowlist,
      workspaceFolder: parsed.workspaceFolder,
      mounts: parsed.mounts,
      containerConfig: containerConfigSchema.parse(parsed.containerConfig),
    };
  }

  private assertUnique(group: Group): void {
    const clash = this.list().find(
      (g) =>
        g.id !== group.id &&
        // Folders compare without case: macOS and Windows disks see `a_b-1f` and `A_B-1F` as one.
        (g.name.toLowerCase() === group.name.toLowerCase() ||
          g.folder.toLowerCase() === group.folder.toLowerCase()),
    );
    if (clash)
      throw new AppError('CONFLICT', `A group named "${clash.name}" exists already.`, {
        name: group.name,
      });
    // Groups are found by id or name: a name that is another group's id would make one the other.
    if (this.list().some((g) => g.id !== group.id && g.id === group.name))
      throw new AppError(
        'CONFLICT',
        `"${group.name}" is another group's id; choose another name.`,
        {
          name: group.name,
        },
      );
    const taken = group.chatJids.filter((jid) =>
      this.list().some((g) => g.id !== group.id && g.chatJids.includes(jid)),
    );
    if (taken.length)
      throw new AppError(
        'CONFLICT',
        `${taken.join(', ')} already belong${taken.length === 1 ? 's' : ''} to another group: a chat answers to one group.`,
        { chatJids: taken },
      );
  }

  /** The workspace and every extra mount must pass mount security now (and at each start). */
  private async checkFolders(group: Group): Promise<void> {
    const refused = checkExtraRunArgs(group.containerConfig.extraRunArgs);
    if (refused.length) {
      this.deps.audit.record({
        severity: 'warning',
        category: 'container',
        group: group.name,
        message: `Refused container options for group "${group.name}": ${refused.map((r) => r.arg).join(' ')}`,
        details: { refused },
      });
      throw new AppError(
        'INVALID_INPUT',
        `Container option${refused.length === 1 ? '' : 's'} refused: ${refused.map((r) => `${r.arg} (${r.reason})`).join('; ')}.`,
        { refused },
      );
    }
    const requests = [
      ...(group.workspaceFolder
        ? [{ hostPath: group.workspaceFolder, readonly: !group.isMain, workspace: true }]
        : []),
      ...group.mounts.map((m) => ({ ...m, workspace: false })),
    ];
    for (const request of requests) {
      const verdict = await this.deps.mounts.validate(
        {
          hostPath: request.hostPath,
          readonly: request.readonly,
          group: group.isMain ? 'main' : group.name,
          ...('containerPath' in request && request.containerPath
            ? { containerPath: request.containerPath }
            : {}),
        },
        'user',
      );
      if (!verdict.allowed)
        throw new AppError(
          'INVALID_INPUT',
          `${request.workspace ? 'Workspace folder' : 'Mount'} "${request.hostPath}" refused: ${verdict.reason}`,
          { hostPath: request.hostPath, verdict },
        );
    }
  }

  private async save(groups: Group[]): Promise<void> {
    await this.store.replace({ groups });
    this.deps.bus.emit('groups.changed', { groups: this.list() });
  }

  private audit(message: string, group: Group, details: Record<string, unknown>): void {
    this.deps.audit.record({
      severity: 'info',
      category: 'groups',
      group: group.name,
      message,
      details,
    });
    this.deps.logger.info({ group: group.name }, message);
  }
}
