import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startIpcHarness, type IpcHarness } from '../helpers/ipc-harness';

/**
 * The IPC watcher over time: retries while a receiver is down, files that arrived while aigo
 * was not running, files claimed before a crash, a burst of files, folders swapped for links,
 * and a stop that leaves nothing behind. Each test has a harness of its own.
 */
let h: IpcHarness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});
const start = async (options: { start?: boolean } = {}) => (h = await startIpcHarness(options));

const poll = <T>(fn: () => T | Promise<T>, message: string) =>
  expect.poll(fn, { timeout: 8000, interval: 20, message });
const msg = (text: string, chatJid = 'tg:111') => ({ type: 'message', chatJid, text });

describe('retries', () => {
  it('retries a receiver that fails twice, then delivers exactly once', async () => {
    const t = await start();
    const s = await t.session(t.team);
    t.router.failNext = 2;
    const name = await t.write(s.messages, msg('persist'));
    await poll(() => t.router.messagesOf(s.id).length, 'delivered').toBe(1);
    expect(t.router.calls).toBe(3);
    await poll(() => t.list(s.claimed), 'claimed/ emptied').toEqual([]);
    expect(t.sink.of(t.team.folder, s.id)).toEqual([
      expect.objectContaining({ messageId: name, status: 'delivered' }),
    ]);
    expect(t.handled.filter((x) => x.endsWith(name))).toHaveLength(1);
  });

  it('keeps a file claimed while its chat is down, without holding up other sessions', async () => {
    const t = await start();
    const s = await t.session(t.team);
    const m = await t.session(t.main);
    t.router.down.add('tg:111');
    const name = await t.write(s.messages, msg('wait for me'));
    await poll(() => t.router.calls >= 3, 'retried while down').toBe(true);
    expect(await t.list(s.claimed)).toEqual([`messages--${name}`]);
    await t.write(m.messages, msg('meanwhile', 'tg:222'));
    await poll(() => t.router.messagesOf(m.id).length, 'other session delivered').toBe(1);
    t.router.down.delete('tg:111');
    await poll(() => t.router.messagesOf(s.id).length, 'delivered once up').toBe(1);
    await poll(() => t.list(s.claimed), 'claimed/ emptied').toEqual([]);
    expect(t.sink.of(t.team.folder, s.id)).toHaveLength(1);
  });

  it('does not let a second file of the same name replace one still waiting', async () => {
    const t = await start();
    const s = await t.session(t.team);
    t.router.down.add('tg:111');
    await t.write(s.messages, msg('first'), 'dup.json');
    await poll(() => t.router.calls >= 2, 'retrying').toBe(true);
    await t.write(s.messages, msg('second'), 'dup.json');
    await poll(() => t.list(s.errors), 'the second set aside').toEqual(['messages--dup.json']);
    t.router.down.delete('tg:111');
    await poll(() => t.router.messagesOf(s.id).map((x) => x.text), 'first delivered').toEqual([
      'first',
    ]);
  });
});

describe('start-up', () => {
  it('processes files that arrived while aigo was not running', async () => {
    const t = await start({ start: false });
    const s = await t.session(t.team);
    await t.write(s.messages, msg('one'));
    await t.write(s.messages, msg('two'));
    await t.write(s.tasks, { type: 'schedule_task', prompt: 'later' });
    const bad = await t.write(s.messages, '{not json');
    await t.startWatcher();
    await poll(() => t.router.messagesOf(s.id).length, 'both delivered').toBe(2);
    await poll(() => t.router.tasksOf(s.id).length, 'task handed on').toBe(1);
    await poll(() => t.list(s.errors), 'bad one set aside').toEqual([`messages--${bad}`]);
  });

  it('finishes a claimed file whose delivery is recorded already, without delivering it again', async () => {
    const t = await start({ start: false });
    const s = await t.session(t.team);
    await writeFile(join(s.claimed, 'messages--done.json'), JSON.stringify(msg('once')));
    await t.sink.record(t.team.folder, s.id, {
      id: 'ipc-done.json',
      kind: 'message',
      messageId: 'done.json',
      chatJid: 'tg:111',
      text: 'once',
      status: 'delivered',
      detail: null,
    });
    await t.startWatcher();
    await poll(() => t.list(s.claimed), 'claimed/ emptied').toEqual([]);
    expect(t.router.calls).toBe(0);
    expect(t.sink.of(t.team.folder, s.id)).toHaveLength(1);
  });

  it('delivers a claimed file that was not handed on before the crash, once', async () => {
    const t = await start({ start: false });
    const s = await t.session(t.team);
    await writeFile(join(s.claimed, 'messages--pending.json'), JSON.stringify(msg('late')));
    await writeFile(join(s.claimed, 'messages--junk.json'), '[1,2');
    await t.startWatcher();
    await poll(() => t.router.messagesOf(s.id).map((x) => x.text), 'delivered').toEqual(['late']);
    expect(await t.list(s.errors)).toEqual(['messages--junk.json']);
    await t.stopWatcher();
    await t.startWatcher();
    expect(t.router.messagesOf(s.id)).toHaveLength(1);
    expect(await t.list(s.claimed)).toEqual([]);
  });
});

describe('a burst of files', () => {
  it('delivers 200 files written at once, each exactly once', async () => {
    const t = await start();
    const sessions = await Promise.all([t.team, t.team, t.main, t.main].map((g) => t.session(g)));
    const names = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const s = sessions[i % sessions.length]!;
        return t.write(s.messages, msg(`n${i}`, s.group.isMain ? 'tg:999' : 'tg:111'), `${i}.json`);
      }),
    );
    const ours = () => t.router.messages.filter((m) => sessions.some((s) => s.id === m.session));
    await poll(() => ours().length, 'all delivered').toBe(200);
    for (const s of sessions) await poll(() => t.list(s.claimed), 'claimed/ emptied').toEqual([]);
    expect(new Set(ours().map((m) => `${m.session}/${m.id}`)).size).toBe(200);
    expect(
      ours()
        .map((m) => m.text)
        .sort(),
    ).toEqual(names.map((_, i) => `n${i}`).sort());
    expect(t.router.calls).toBe(200);
    for (const s of sessions) {
      expect(await t.list(s.messages)).toEqual([]);
      expect(t.sink.of(s.group.folder, s.id)).toHaveLength(50);
    }
  });
});

describe('folders swapped for links', () => {
  /** A host folder with a file that would pass as a message. */
  async function hostFolder(t: IpcHarness) {
    const dir = join(t.home, 'projects');
    await mkdir(dir, { recursive: true });
    const body = JSON.stringify(msg('HOST-FILE'));
    await writeFile(join(dir, 'settings.json'), body);
    return { dir, body };
  }
  /** A task that proves the watcher has looked at the session since. */
  async function barrier(t: IpcHarness, s: { tasks: string; id: string }) {
    await t.write(s.tasks, { type: 'schedule_task', prompt: 'barrier' });
    await poll(() => t.router.tasksOf(s.id).length, 'barrier handed on').toBe(1);
  }

  it('never moves host files through a messages/ that links out, at start-up', async () => {
    const t = await start({ start: false });
    const host = await hostFolder(t);
    const s = await t.session(t.team);
    await rm(s.messages, { recursive: true });
    await symlink(host.dir, s.messages);
    await t.startWatcher();
    await barrier(t, s);
    expect(await readFile(join(host.dir, 'settings.json'), 'utf8')).toBe(host.body);
    expect(t.router.messages).toEqual([]);
    expect(await t.list(s.claimed)).toEqual([]);
  });

  it('never moves host files through a messages/ swapped for a link while running', async () => {
    const t = await start();
    const host = await hostFolder(t);
    const s = await t.session(t.team);
    await t.write(s.messages, msg('before'));
    await poll(() => t.router.messagesOf(s.id).length, 'delivered').toBe(1);
    await rm(s.messages, { recursive: true });
    await symlink(host.dir, s.messages);
    await writeFile(join(host.dir, 'fresh.json'), host.body);
    await barrier(t, s);
    expect((await readdir(host.dir)).sort()).toEqual(['fresh.json', 'settings.json']);
    expect(t.router.messagesOf(s.id)).toHaveLength(1);
  });
});

describe('hostile names and floods', () => {
  it('handles a file whose name is as long as the file system allows', async () => {
    const t = await start();
    const s = await t.session(t.team);
    await t.write(s.messages, msg('long name'), `${'n'.repeat(245)}.json`);
    await poll(() => t.router.messagesOf(s.id).map((m) => m.text), 'delivered').toEqual([
      'long name',
    ]);
    await poll(() => t.list(s.messages), 'messages/ emptied').toEqual([]);
  });

  it('records every refusal in the transcript, and a flood of them as few audit entries', async () => {
    const t = await start();
    const s = await t.session(t.team);
    for (let i = 0; i < 30; i++) await t.write(s.messages, msg(`spam ${i}`, 'tg:222'));
    await t.write(s.messages, msg('elsewhere', 'tg:333'));
    await poll(() => t.sink.of(t.team.folder, s.id).length, 'all refused').toBe(31);
    expect(t.router.messagesOf(s.id)).toEqual([]);
    const violations = (await t.auditEntries()).filter((e) => e.details['session'] === s.id);
    expect(violations.map((e) => e.details['targetJid']).sort()).toEqual(['tg:222', 'tg:333']);
    expect(violations.every((e) => e.severity === 'violation')).toBe(true);
  });
});

describe('stop()', () => {
  it('releases everything: a process with a watcher stopped mid-retry exits by itself', async () => {
    const harness = JSON.stringify(join(process.cwd(), 'test/helpers/ipc-harness.ts'));
    const script = `
      import { startIpcHarness } from ${harness};
      const h = await startIpcHarness();
      const s = await h.session(h.team);
      const m = await h.session(h.main);
      h.router.down.add('tg:111');
      h.router.failNext = 1;
      await h.write(s.messages, { type: 'message', chatJid: 'tg:111', text: 'stuck' });
      await h.write(m.messages, { type: 'message', chatJid: 'tg:999', text: 'fails once' });
      const until = async (ok) => {
        for (let i = 0; i < 1000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
        if (!ok()) throw new Error('timed out');
      };
      await until(() => h.router.calls >= 5 && h.router.messages.length === 1);
      await h.stopWatcher();
      const claimed = await h.list(s.claimed);
      await h.stop();
      process.stdout.write(JSON.stringify({ claimed }));
    `;
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script],
          { cwd: process.cwd(), timeout: 30_000, killSignal: 'SIGKILL' },
          (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
        );
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ claimed: [expect.stringMatching(/^messages--/)] });
  }, 40_000);
});
