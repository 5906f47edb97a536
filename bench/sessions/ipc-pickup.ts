import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Group } from '../../src/shared/schemas/groups';
import type { AuditLog } from '../../src/main/services/audit/audit-log';
import type { GroupsService } from '../../src/main/services/groups/groups-service';
import { IpcWatcher } from '../../src/main/services/sessions/ipc-watcher';
import {
  keepingTaskRouter,
  type MessageRouter,
} from '../../src/main/services/sessions/message-router';
import {
  SessionService,
  type SessionServiceDeps,
} from '../../src/main/services/sessions/session-service';
import {
  ensureSessionDirs,
  newSessionId,
  sessionPaths,
} from '../../src/main/services/sessions/session-files';
import { silentLogger, tempDir } from '../../test/helpers/temp';
import { gap, summarize, type Summary } from './stats';

export const IPC_FILES = 1000;
const WARMUP_FILES = 20;
/** The peer's design: the host looks at ipc/messages/ once a second. */
export const PEER_POLL_MS = 1000;
/** Random pause between two files, ms. */
const GAP = [1, 10] as const;
/** Bounds: writing all files, then waiting for the last pickups. */
const WRITE_LIMIT_MS = 120_000;
const DRAIN_LIMIT_MS = 15_000;

export interface IpcResult {
  /** Rename done → the recording router's deliver() called (parse, authorize, duplicate check). */
  router: Summary;
  /** Rename done → the watcher's onHandled (transcript line on disk, claimed file removed). */
  handled: Summary;
  /** Rename done → the simulated 1 s poller's readdir listed it. */
  poller: Summary;
  /** Router latency of the first and the last 100 files (the transcript grows as files come). */
  first100: Summary;
  last100: Summary;
  missed: { watcher: number; poller: number };
}

/**
 * One file the way the agent runner writes it (resources/container/agent-runner/src/ipc.ts,
 * writeIpcFile): the payload to `.{name}.tmp`, then a rename to `{name}`. The clock starts just
 * before the rename, so the measured time includes the rename itself.
 */
async function writeLikeRunner(dir: string, index: number): Promise<{ name: string; t0: number }> {
  const name = `${Date.now()}-${randomBytes(4).toString('hex')}.json`;
  const temp = join(dir, `.${name}.tmp`);
  await writeFile(
    temp,
    JSON.stringify({ type: 'message', chatJid: 'tg:100', text: `bench message ${index}` }),
  );
  const t0 = performance.now();
  await rename(temp, join(dir, name));
  return { name, t0 };
}

async function writeSeries(
  dir: string,
  count: number,
  sent: Map<string, number>,
  offset: number,
): Promise<void> {
  const deadline = performance.now() + WRITE_LIMIT_MS;
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const { name, t0 } = await writeLikeRunner(dir, offset + i);
    sent.set(name, t0);
    await gap(GAP[0], GAP[1]);
  }
}

async function drain(done: () => boolean): Promise<void> {
  const deadline = performance.now() + DRAIN_LIMIT_MS;
  while (!done() && performance.now() < deadline) await gap(5, 6);
}

function latencies(sent: Map<string, number>, seen: Map<string, number>): number[] {
  const out: number[] = [];
  for (const [name, t0] of sent) {
    const t = seen.get(name);
    if (t !== undefined) out.push(t - t0);
  }
  return out;
}

/**
 * IPC pickup on the real IpcWatcher (chokidar on DATA_DIR/sessions, claim by rename, parse,
 * authorize, duplicate check against the transcript, hand-off, transcript line), in this
 * process, against the peer's 1 s readdir poller over the same folder.
 */
export async function ipcPickupBench(): Promise<IpcResult> {
  const dir = await tempDir('aigo-bench-ipc-');
  try {
    const now = new Date().toISOString();
    const group: Group = {
      id: 'main-bench',
      name: 'main',
      folder: 'main',
      description: '',
      isMain: true,
      chatJids: ['tg:100'],
      trigger: '@aigo',
      requiresTrigger: false,
      senderAllowlist: [],
      workspaceFolder: null,
      mounts: [],
      containerConfig: {
        image: null,
        timeoutSecs: 1800,
        idleTimeoutSecs: null,
        memoryMb: 2048,
        cpus: 2,
        extraRunArgs: [],
      },
      createdAt: now,
      updatedAt: now,
    };
    const groups = {
      byFolder: (folder: string) => (folder === group.folder ? group : null),
      find: (ref: string) => (ref === group.id || ref === group.name ? group : null),
    } as unknown as GroupsService;
    // The session service's own IPC sink (transcript append, duplicate check by reading the
    // transcript): the path a session folder without a live container takes; a live one adds an
    // event-bus emit. Only dataDir is read on this path.
    const sink = new SessionService({ dataDir: dir.path } as SessionServiceDeps).ipcSink;
    const session = newSessionId();
    const paths = sessionPaths(dir.path, group.folder, session);
    await ensureSessionDirs(paths);
    await mkdir(paths.messages, { recursive: true });

    const routed = new Map<string, number>();
    const handled = new Map<string, number>();
    const router: MessageRouter = {
      deliver: async (message) => {
        routed.set(message.id, performance.now());
        return { status: 'kept', detail: null };
      },
    };
    const watcher = new IpcWatcher({
      dataDir: dir.path,
      groups,
      sessions: sink,
      router,
      tasks: keepingTaskRouter,
      audit: { record: () => undefined } as unknown as AuditLog,
      logger: silentLogger(),
      onHandled: (origin) => handled.set(origin.name, performance.now()),
    });
    await watcher.start();
    const sent = new Map<string, number>();
    try {
      const warm = new Map<string, number>();
      await writeSeries(paths.messages, WARMUP_FILES, warm, -WARMUP_FILES);
      await drain(() => [...warm.keys()].every((n) => handled.has(n)));
      await writeSeries(paths.messages, IPC_FILES, sent, 0);
      await drain(() => [...sent.keys()].every((n) => handled.has(n)));
    } finally {
      await watcher.stop();
    }
    const routerMs = latencies(sent, routed);
    const ordered = [...sent.entries()];
    const part = (list: [string, number][]) => summarize(latencies(new Map(list), routed));

    // Baseline: the peer's poller, over the same folder (the watcher is stopped now).
    for (const name of await readdir(paths.messages)) await rm(join(paths.messages, name));
    const polled = new Map<string, number>();
    const pollSent = new Map<string, number>();
    let busy = false;
    const tick = setInterval(() => {
      if (busy) return;
      busy = true;
      void readdir(paths.messages)
        .then(async (names) => {
          const at = performance.now();
          for (const name of names) {
            if (name.startsWith('.') || !name.endsWith('.json')) continue;
            if (!polled.has(name)) polled.set(name, at);
            await rm(join(paths.messages, name), { force: true }); // the peer's claim
          }
        })
        .finally(() => (busy = false));
    }, PEER_POLL_MS);
    try {
      await writeSeries(paths.messages, IPC_FILES, pollSent, 0);
      await drain(() => [...pollSent.keys()].every((n) => polled.has(n)));
    } finally {
      clearInterval(tick);
    }
    const pollerMs = latencies(pollSent, polled);
    return {
      router: summarize(routerMs),
      handled: summarize(latencies(sent, handled)),
      poller: summarize(pollerMs),
      first100: part(ordered.slice(0, 100)),
      last100: part(ordered.slice(-100)),
      missed: { watcher: sent.size - routerMs.length, poller: pollSent.size - pollerMs.length },
    };
  } finally {
    await dir.cleanup();
  }
}
