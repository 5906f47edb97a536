import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors';
import type { Group } from '../../../shared/schemas/groups';
import type { RunRecord } from '../../../shared/schemas/sessions';
import { parseExtraRunArgs } from '../groups/run-args';
import type { BindMount, ExpectedMount } from '../mounts/mount-plan';
import type { MountSecurityService } from '../mounts/mount-security-service';
import type { CredentialProxyService } from '../proxy/credential-proxy-service';
import { dockerCreateOptions, LABELS, type AgentContainerSpec } from './container-spec';
import type { AgentContainer, ContainerEngine } from './docker-engine';
import { openFolder } from './ipc-files';
import {
  ensureSessionDirs,
  removeAgentFiles,
  writeAgentFile,
  type SessionPaths,
} from './session-files';

export const CONTAINER_IPC = '/workspace/ipc';
export const CONTAINER_STATE = '/home/agent/.aigo';

export interface LaunchRequest {
  group: Group;
  sessionId: string;
  paths: SessionPaths;
  prompt: string;
  chatJid: string | null;
  image: string;
  /** aigo's own workspace for a group without one of its own. */
  defaultWorkspace: string;
  /** Told when the last agent had replaced a folder of its ipc/ (it is made a folder again). */
  onReplacedFolder?: (dir: string, was: string) => void;
}

export interface LaunchDeps {
  engine: ContainerEngine;
  mounts: MountSecurityService;
  proxy: CredentialProxyService;
  installId: string;
  /** Where agents reach the network: aigo's bridge, or `host` where the engine has none. */
  networkMode: () => Promise<string>;
  /** The computer's time zone, for the container's TZ (asked at each launch). */
  timezone: () => string;
}

export interface Launched {
  container: AgentContainer;
  mounts: RunRecord['mounts'];
  /** What the container was started with: the periodic security audit compares against it. */
  record: LaunchRecord;
}

/** A container's launch configuration, as the security audit expects to find it running. */
export interface LaunchRecord {
  containerId: string;
  name: string;
  session: string;
  group: string;
  image: string;
  env: string[];
  mounts: { source: string; target: string; readonly: boolean }[];
  networkMode: string;
  memoryBytes: number;
  nanoCpus: number;
  labels: Record<string, string>;
  /** The proxy placeholder the container was given as ANTHROPIC_API_KEY. */
  placeholder: string | null;
  startedAt: string;
}

/** `aigo-<group>-<session>-<time>`: readable in `docker ps`, unique, a valid container name. */
export function containerName(group: Group, sessionId: string, now = Date.now()): string {
  const part = group.folder.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40);
  return `aigo-${part}-${sessionId}-${now.toString(36)}`;
}

/**
 * Starts one run of a session: mounts checked again now, the proxy token of this session, a
 * hardened container; then, once the engine shows the validated files at every mount target,
 * the job (the agent gets its task only after that check).
 */
export async function launch(req: LaunchRequest, deps: LaunchDeps): Promise<Launched> {
  const { group } = req;
  const cc = group.containerConfig;
  const { allowed, refused } = parseExtraRunArgs(cc.extraRunArgs);
  if (refused.length)
    throw new AppError(
      'FORBIDDEN',
      `Container options refused for group "${group.name}": ${refused.map((r) => `${r.arg} (${r.reason})`).join('; ')}.`,
      { refused },
    );
  const workspaceReadonly = !group.isMain;
  const { mounts, expected } = await workspaceMounts(req, deps, workspaceReadonly);
  // The ipc/ folders outlive containers, and the last agent owned them: one it replaced with a
  // link (to a host folder, say) is made a real folder again, and a job or a close it left
  // must not reach the new runner before aigo has checked its mounts. Never through a link.
  await ensureSessionDirs(req.paths, req.onReplacedFolder);
  if (!(await removeAgentFiles(req.paths.input, ['job.json', '_close'])))
    throw new AppError(
      'CONFLICT',
      `The session's input folder ${req.paths.input} is not a folder.`,
    );
  const proxy = deps.proxy.containerConfig(req.sessionId);
  let container: AgentContainer | null = null;
  try {
    const spec: AgentContainerSpec = {
      name: containerName(group, req.sessionId),
      image: req.image,
      labels: {
        [LABELS.install]: deps.installId,
        [LABELS.kind]: 'agent',
        [LABELS.group]: group.name,
        [LABELS.session]: req.sessionId,
      },
      env: {
        ...proxy.env,
        TZ: deps.timezone(),
        AIGO_GROUP: group.name,
        AIGO_SESSION: req.sessionId,
        AIGO_WAIT_FOR_JOB: '1',
        AIGO_STATE_DIR: CONTAINER_STATE,
      },
      mounts,
      memoryMb: cc.memoryMb,
      cpus: cc.cpus,
      extra: allowed,
      networkMode: await deps.networkMode(),
      extraHosts: proxy.extraHosts,
    };
    container = await deps.engine.run(spec);
    const started = container;
    await deps.mounts.verifyStarted(
      await started.inspect(),
      expected,
      { group: group.name, session: req.sessionId },
      () => started.kill(),
    );
    const job = {
      sessionId: req.sessionId,
      group: group.name,
      prompt: req.prompt,
      timeoutSecs: cc.timeoutSecs,
      idleTimeoutSecs: cc.idleTimeoutSecs ?? 0,
      isMain: group.isMain,
      ...(req.chatJid ? { chatJid: req.chatJid } : {}),
    };
    if (!(await writeAgentFile(req.paths.input, 'job.json', JSON.stringify(job), 0o644)))
      throw new AppError(
        'CONFLICT',
        `The session's input folder ${req.paths.input} was replaced while its container started.`,
      );
    const mountList = mounts.map((m) => ({
      source: m.Source,
      target: m.Target,
      readonly: m.ReadOnly,
    }));
    const create = dockerCreateOptions(spec);
    return {
      container: started,
      mounts: mountList,
      record: {
        containerId: started.id,
        name: started.name,
        session: req.sessionId,
        group: group.name,
        image: req.image,
        env: create.Env ?? [],
        mounts: mountList,
        networkMode: spec.networkMode,
        memoryBytes: create.HostConfig?.Memory ?? 0,
        nanoCpus: create.HostConfig?.NanoCpus ?? 0,
        labels: spec.labels,
        placeholder: proxy.env.ANTHROPIC_API_KEY ?? null,
        startedAt: new Date().toISOString(),
      },
    };
  } catch (error) {
    await container?.remove();
    deps.proxy.revokeSession(req.sessionId);
    throw error;
  }
}

/** /workspace, /workspace/extra/*, the IPC folder and the conversation state, all checked. */
async function workspaceMounts(
  req: LaunchRequest,
  deps: LaunchDeps,
  workspaceReadonly: boolean,
): Promise<{ mounts: BindMount[]; expected: ExpectedMount[] }> {
  const { group } = req;
  const asGroup = group.isMain ? 'main' : group.name;
  const prepared = await deps.mounts.prepareMounts(
    [
      ...(group.workspaceFolder
        ? [
            {
              hostPath: group.workspaceFolder,
              readonly: workspaceReadonly,
              group: asGroup,
              mountAt: '/workspace',
            },
          ]
        : []),
      ...group.mounts.map((m) => ({ ...m, group: asGroup })),
    ],
    'config',
  );
  const workspace = group.workspaceFolder
    ? (prepared.verdicts[0]?.realPath as string)
    : req.defaultWorkspace;
  // Mount points inside a read-only /workspace must exist before the container starts.
  const extras = prepared.verdicts
    .filter((v) => v.containerPath?.startsWith('/workspace/extra/'))
    .map((v) => (v.containerPath as string).slice('/workspace/'.length));
  for (const dir of ['ipc', ...extras]) await mkdirBeneath(workspace, dir);

  const own: BindMount[] = [
    { Type: 'bind', Source: req.paths.ipc, Target: CONTAINER_IPC, ReadOnly: false },
    { Type: 'bind', Source: req.paths.state, Target: CONTAINER_STATE, ReadOnly: false },
  ];
  if (!group.workspaceFolder)
    own.unshift({
      Type: 'bind',
      Source: workspace,
      Target: '/workspace',
      ReadOnly: workspaceReadonly,
    });
  const expected = [...prepared.expected];
  for (const m of own) {
    const info = await stat(m.Source);
    expected.push({
      target: m.Target,
      source: m.Source,
      identity: { dev: info.dev, ino: info.ino },
    });
  }
  return { mounts: [...own, ...prepared.mounts], expected };
}

/**
 * `mkdir -p base/rel` that never follows a link below `base`: an agent with a read-write
 * workspace (or the user) may have made `extra` or `ipc` a link to a host folder, and aigo must
 * not create folders there. Each level is opened without following links; a link is refused.
 */
async function mkdirBeneath(base: string, rel: string): Promise<void> {
  let folder = await openFolder(base);
  if (!folder) throw new AppError('FORBIDDEN', `The workspace "${base}" is not a folder.`);
  try {
    let at = base;
    for (const part of rel.split('/').filter(Boolean)) {
      at = join(at, part);
      await mkdir(folder.path(part)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      const next = await openFolder(folder.path(part));
      await folder.close();
      folder = next;
      if (!folder)
        throw new AppError(
          'FORBIDDEN',
          `Cannot make the mount point "${at}": it is a link or not a folder, and aigo never creates folders through a link. Remove it (an agent with a read-write workspace can make one) and start again.`,
          { path: at },
        );
    }
  } finally {
    await folder?.close();
  }
}
