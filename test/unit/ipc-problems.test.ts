import { mkdir, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { findIpcProblems } from '../../src/main/services/sessions/ipc-problems';
import { ensureSessionDirs, sessionPaths } from '../../src/main/services/sessions/session-files';
import type { Session } from '../../src/shared/schemas/sessions';
import { tempDir } from '../helpers/temp';

const session = (id: string, state: Session['state']): Session => ({
  id,
  group: 'g1',
  groupName: 'main',
  title: 't',
  state,
  trigger: 'manual',
  chatJid: null,
  createdAt: '2026-11-29T00:00:00.000Z',
  updatedAt: '2026-11-29T00:00:00.000Z',
  container: null,
  queuePosition: null,
  runs: 1,
  lastStatus: 'failed',
  error: null,
  progress: { turn: 0, toolCalls: 0, activity: null },
});

describe("the guide's IPC problems, found by the app", () => {
  it('sees follow-ups no container will read, outgoing files stuck, and files set aside', async () => {
    const t = await tempDir('aigo-ipc-doctor-');
    try {
      const dead = sessionPaths(t.path, 'main', '20261129-000000-aaaa');
      const live = sessionPaths(t.path, 'main', '20261129-000000-bbbb');
      await ensureSessionDirs(dead);
      await ensureSessionDirs(live);
      await writeFile(`${dead.input}/1-steer.json`, '{"text":"are you there?"}');
      await writeFile(`${dead.input}/job.json`, '{}'); // the job is not a follow-up
      await writeFile(`${dead.claimed}/messages--1.json`, '{}');
      await writeFile(`${dead.messages}/2.json`, '{}');
      await writeFile(`${dead.messages}/.3.json.tmp`, '{}'); // still being written: not stuck
      await mkdir(dead.errors, { recursive: true });
      await writeFile(`${dead.errors}/messages--9.json`, 'not json');
      // A running session reads its input: waiting follow-ups are normal there.
      await writeFile(`${live.input}/1-steer.json`, '{"text":"hi"}');
      const problems = await findIpcProblems(
        [
          { session: session('20261129-000000-aaaa', 'ended'), paths: dead },
          { session: session('20261129-000000-bbbb', 'running'), paths: live },
        ],
        Date.now() + 60_000,
      );
      expect(problems.map((p) => [p.session.slice(-4), p.kind, p.count]).sort()).toEqual(
        [
          ['aaaa', 'input_unread', 1],
          ['aaaa', 'outgoing_errors', 1],
          ['aaaa', 'outgoing_stuck', 2],
        ].sort(),
      );
      // A squad's ended task: what it did not read is kept in the squad, not waiting for it.
      const squadTask = { ...session('20261129-000000-aaaa', 'ended'), trigger: 'squad' as const };
      expect(
        (await findIpcProblems([{ session: squadTask, paths: dead }], Date.now() + 60_000)).map(
          (p) => p.kind,
        ),
      ).not.toContain('input_unread');
      // Fresh files are not stuck yet.
      const now = await findIpcProblems([
        { session: session('20261129-000000-aaaa', 'ended'), paths: dead },
      ]);
      expect(now.some((p) => p.kind === 'outgoing_stuck')).toBe(false);
    } finally {
      await t.cleanup();
    }
  });
});
