import type { CreateGroup, Group } from '../../../../../shared/schemas/groups';

export interface MountDraft {
  hostPath: string;
  containerPath: string;
  readonly: boolean;
}

/** A group as its form edits it: lists and numbers as the text the user types. */
export interface GroupDraft {
  name: string;
  description: string;
  chatJids: string;
  trigger: string;
  requiresTrigger: boolean;
  senderAllowlist: string;
  workspaceFolder: string;
  mounts: MountDraft[];
  image: string;
  timeoutSecs: string;
  idleTimeoutSecs: string;
  memoryMb: string;
  cpus: string;
  extraRunArgs: string;
}

export type GroupBody = Omit<CreateGroup, 'containerConfig'> & {
  containerConfig: NonNullable<CreateGroup['containerConfig']>;
};

/** The core's defaults for a new group. */
export const NEW_GROUP: GroupDraft = {
  name: '',
  description: '',
  chatJids: '',
  trigger: '@aigo',
  requiresTrigger: true,
  senderAllowlist: '',
  workspaceFolder: '',
  mounts: [],
  image: '',
  timeoutSecs: '1800',
  idleTimeoutSecs: '',
  memoryMb: '2048',
  cpus: '2',
  extraRunArgs: '',
};

export function draftOf(group: Group): GroupDraft {
  const c = group.containerConfig;
  return {
    name: group.name,
    description: group.description,
    chatJids: group.chatJids.join('\n'),
    trigger: group.trigger,
    requiresTrigger: group.requiresTrigger,
    senderAllowlist: group.senderAllowlist.join('\n'),
    workspaceFolder: group.workspaceFolder ?? '',
    mounts: group.mounts.map((m) => ({
      hostPath: m.hostPath,
      containerPath: m.containerPath ?? '',
      readonly: m.readonly,
    })),
    image: c.image ?? '',
    timeoutSecs: String(c.timeoutSecs),
    idleTimeoutSecs: c.idleTimeoutSecs === null ? '' : String(c.idleTimeoutSecs),
    memoryMb: String(c.memoryMb),
    cpus: String(c.cpus),
    extraRunArgs: c.extraRunArgs.join('\n'),
  };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export interface DraftProblem {
  path: string;
  message: string;
}

/**
 * What the form sends. Numbers the user left unreadable are reported here (the core checks
 * ranges and everything else, and names the field it refuses).
 */
export function bodyOf(d: GroupDraft): { body: GroupBody; problems: DraftProblem[] } {
  const problems: DraftProblem[] = [];
  const number = (path: string, text: string, what: string) => {
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(value)) {
      problems.push({ path: `containerConfig.${path}`, message: `enter ${what}` });
      return 0;
    }
    return value;
  };
  const idle = d.idleTimeoutSecs.trim();
  const body: GroupBody = {
    name: d.name.trim(),
    description: d.description.trim(),
    chatJids: d.chatJids.split(/[\s,]+/).filter(Boolean),
    trigger: d.trigger.trim(),
    requiresTrigger: d.requiresTrigger,
    senderAllowlist: lines(d.senderAllowlist),
    workspaceFolder: d.workspaceFolder.trim() || null,
    mounts: d.mounts
      .filter((m) => m.hostPath.trim() !== '')
      .map((m) => ({
        hostPath: m.hostPath.trim(),
        readonly: m.readonly,
        ...(m.containerPath.trim() ? { containerPath: m.containerPath.trim() } : {}),
      })),
    containerConfig: {
      image: d.image.trim() || null,
      timeoutSecs: number('timeoutSecs', d.timeoutSecs, 'seconds (0 = no limit)'),
      idleTimeoutSecs:
        idle === '' ? null : number('idleTimeoutSecs', idle, 'seconds, or leave empty'),
      memoryMb: number('memoryMb', d.memoryMb, 'megabytes'),
      cpus: number('cpus', d.cpus, 'a number of CPUs'),
      extraRunArgs: lines(d.extraRunArgs),
    },
  };
  return { body, problems };
}

/** "2 CPUs · 2048 MiB · 30 min limit". */
export function limitsSummary(group: Group): string {
  const c = group.containerConfig;
  const limit =
    c.timeoutSecs === 0
      ? 'no time limit'
      : c.timeoutSecs % 60 === 0
        ? `${c.timeoutSecs / 60} min limit`
        : `${c.timeoutSecs} s limit`;
  return [`${c.cpus} CPU${c.cpus === 1 ? '' : 's'}`, `${c.memoryMb} MiB`, limit].join(' · ');
}
