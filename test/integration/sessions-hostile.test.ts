import { mkdtemp, readdir, readFile, rm, stat, writeFile, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/shared/schemas/audit';
import type { Session, SessionDetail } from '../../src/shared/schemas/sessions';
import { startAgentApp } from '../helpers/agent-app';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { text, toolUse, type LlmRequest, type Turn } from '../helpers/scripted-llm';

const runDocker = requirePart('Docker', dockerRequirement());

const scenario = (req: LlmRequest) => {
  const first = req.body.messages[0]?.content;
  const t = typeof first === 'string' ? first : (first?.map((b) => b.text ?? '').join(' ') ?? '');
  return /SCENARIO:(\w+)/.exec(t)?.[1] ?? '';
};

/**
 * A real agent in a real container, hostile: it owns /workspace/ipc, so it replaces its input
 * folder with a link to a host folder (an absolute path that means nothing inside the container,
 * everything on the host). aigo's steering, Stop and the next run must write, delete and chmod
 * nothing there.
 */
describe.runIf(runDocker && process.platform === 'linux')(
  'a hostile agent on the real engine',
  () => {
    let app: Awaited<ReturnType<typeof startAgentApp>>;
    let victim: string;
    let during: (() => Promise<void>) | null = null;
    const turns = new Map<string, number>();

    const script = (_n: number, req: LlmRequest): Turn => {
      const name = scenario(req);
      const turn = (turns.get(name) ?? 0) + 1;
      turns.set(name, turn);
      if (name === 'swap' && turn === 1)
        return {
          blocks: [
            toolUse('run_command', {
              command: `rm -rf /workspace/ipc/input && ln -s ${victim} /workspace/ipc/input && ls -l /workspace/ipc`,
            }),
          ],
        };
      if (name === 'swap' && turn === 2)
        return { blocks: [text('swapped')], before: async () => void (await during?.()) };
      return { blocks: [text('ok')] };
    };

    beforeAll(async () => {
      victim = await mkdtemp(join(tmpdir(), 'aigo-victim-'));
      await writeFile(join(victim, 'job.json'), 'mine');
      await writeFile(join(victim, 'notes.txt'), 'mine too');
      app = await startAgentApp(script);
    });
    afterAll(async () => {
      await app?.stop();
      await rm(victim, { recursive: true, force: true });
    });

    const session = (id: string) => app.call('sessions.get', { id }) as Promise<SessionDetail>;
    const until = async (id: string, pred: (s: SessionDetail) => boolean, what: string) => {
      await expect
        .poll(async () => pred(await session(id)), { timeout: 30_000, message: what })
        .toBe(true);
      return session(id);
    };
    const victimUntouched = async () => {
      expect((await readdir(victim)).sort()).toEqual(['job.json', 'notes.txt']);
      expect(await readFile(join(victim, 'job.json'), 'utf8')).toBe('mine');
      expect((await stat(victim)).mode & 0o777).toBe(0o700);
    };

    it('links ipc/input to a host folder: steering is refused, the next run repairs it, nothing reaches the host folder', async () => {
      let steer: unknown = null;
      const created = (await app.call('sessions.create', {
        prompt: 'SCENARIO:swap make input a link',
      })) as Session;
      const input = join(app.dataDir, 'sessions', 'main', created.id, 'ipc', 'input');
      during = async () => {
        // The agent has swapped input/ by now: the user steers.
        expect((await lstat(input)).isSymbolicLink()).toBe(true);
        steer = await app
          .call('sessions.message', { id: created.id, text: 'steer into the link' })
          .catch((e: unknown) => e);
      };
      const first = await until(created.id, (s) => s.state === 'ended', 'the first run ends');
      during = null;
      expect(first.lastStatus).toBe('succeeded');
      expect(String((steer as Error | null)?.message)).toContain('no longer a folder');
      await victimUntouched();
      // Ended with a link in place: no automatic restart from the host folder's files.
      await new Promise((r) => setTimeout(r, 500));
      expect((await session(created.id)).runs).toBe(1);

      // The user resumes: the next container gets a real input folder and its job there.
      await app.call('sessions.message', { id: created.id, text: 'SCENARIO:plain go on' });
      const second = await until(
        created.id,
        (s) => s.state === 'ended' && s.runs === 2,
        'the resumed run ends',
      );
      expect(second.lastStatus).toBe('succeeded');
      expect((await lstat(input)).isDirectory()).toBe(true);
      await victimUntouched();
      const { entries } = (await app.call('audit.query', {
        category: 'ipc',
        severity: 'violation',
      })) as { entries: AuditEntry[] };
      expect(entries.some((e) => e.message.includes('replaced its IPC folder'))).toBe(true);
    });
  },
);
