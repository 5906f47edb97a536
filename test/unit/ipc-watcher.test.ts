import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IPC_FILE_BYTES } from '../../src/main/services/sessions/ipc-messages';
import { sessionPaths } from '../../src/main/services/sessions/session-files';
import { startIpcHarness, type IpcHarness } from '../helpers/ipc-harness';

/**
 * The IPC watcher against an agent that tries to abuse the channel: a real watcher on a temp
 * DATA_DIR with real groups, audit log and event bus. Every test uses a session of its own.
 */
let h: IpcHarness;
beforeAll(async () => {
  h = await startIpcHarness();
});
afterAll(() => h?.stop());

const poll = <T>(fn: () => T | Promise<T>, message: string) =>
  expect.poll(fn, { timeout: 5000, interval: 20, message });

/** Waits until the file has left messages/ or tasks/ and claimed/ (handled or set aside). */
async function settled(s: { messages: string; tasks: string; claimed: string }) {
  await poll(
    async () =>
      [
        ...(await h.list(s.messages)),
        ...(await h.list(s.tasks)),
        ...(await h.list(s.claimed)),
      ].filter((n) => !n.startsWith('.')),
    'messages/, tasks/ and claimed/ empty',
  ).toEqual([]);
}

const auditFor = async (session: string) =>
  (await h.auditEntries()).filter((e) => e.details['session'] === session);

describe('messages', () => {
  it('delivers a message written by rename, records it, and removes the file', async () => {
    const s = await h.session(h.team);
    const name = await h.write(s.messages, { type: 'message', chatJid: 'tg:111', text: 'hi' });
    await poll(() => h.router.messagesOf(s.id).length, 'delivered').toBe(1);
    const [sent] = h.router.messagesOf(s.id);
    expect(sent).toMatchObject({ id: name, session: s.id, chatJid: 'tg:111', text: 'hi' });
    expect(sent?.group.id).toBe(h.team.id);
    await poll(() => h.sink.of(h.team.folder, s.id), 'recorded').toEqual([
      expect.objectContaining({
        kind: 'message',
        messageId: name,
        chatJid: 'tg:111',
        text: 'hi',
        status: 'delivered',
      }),
    ]);
    await settled(s);
    expect(await h.list(s.errors)).toEqual([]);
    expect(h.handled).toContain(`${s.id}/messages/${name}`);
  });

  it('lets the main group message any chat', async () => {
    const s = await h.session(h.main);
    await h.write(s.messages, { type: 'message', chatJid: 'tg:222', text: 'from main' });
    await h.write(s.messages, { type: 'message', chatJid: 'slack:C999', text: 'anywhere' });
    await poll(() => h.router.messagesOf(s.id).length, 'both delivered').toBe(2);
    expect(h.router.messagesOf(s.id).every((m) => m.group.isMain)).toBe(true);
    expect(await auditFor(s.id)).toEqual([]);
  });

  it("refuses another group's chat: a violation with group, session, container, target; nothing sent", async () => {
    const s = await h.session(h.team);
    const name = await h.write(s.messages, { type: 'message', chatJid: 'tg:222', text: 'psst' });
    await poll(() => h.sink.of(h.team.folder, s.id)[0]?.status, 'refusal recorded').toBe('refused');
    await settled(s);
    expect(h.router.messagesOf(s.id)).toEqual([]);
    const entries = await auditFor(s.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      severity: 'violation',
      category: 'ipc',
      group: 'team',
      container: `aigo-${h.team.folder}-${s.id}`,
      details: { session: s.id, targetJid: 'tg:222', file: name },
    });
    expect(await h.list(s.errors)).toEqual([]);
  });

  it('takes identity from the folder, never from what the file claims', async () => {
    const s = await h.session(h.team);
    const mainSession = await h.session(h.main);
    const claims = {
      group: 'main',
      groupFolder: h.main.folder,
      sender: 'main',
      isMain: true,
      sessionId: mainSession.id,
    };
    await h.write(s.messages, { type: 'message', chatJid: 'tg:222', text: 'as main', ...claims });
    await h.write(s.messages, { type: 'message', chatJid: 'tg:111', text: 'mine', ...claims });
    await poll(() => h.sink.of(h.team.folder, s.id).length, 'both recorded').toBe(2);
    await settled(s);
    const sent = h.router.messagesOf(s.id);
    expect(sent.map((m) => m.text)).toEqual(['mine']);
    expect(sent[0]?.group.name).toBe('team');
    expect(sent[0]?.group.isMain).toBe(false);
    expect(h.router.messagesOf(mainSession.id)).toEqual([]);
    expect(h.sink.of(h.main.folder, mainSession.id)).toEqual([]);
    expect((await auditFor(s.id)).map((e) => e.group)).toEqual(['team']);
    // The parsed body cannot reach the prototype chain either.
    expect(({} as Record<string, unknown>)['isMain']).toBeUndefined();
  });

  it('sets aside a file in a folder no group owns, delivering nothing', async () => {
    const paths = sessionPaths(h.dataDir, 'ghost', '20260101-000000-abcd');
    await mkdir(paths.messages, { recursive: true });
    const name = await h.write(paths.messages, { type: 'message', chatJid: 'tg:1', text: 'x' });
    await poll(() => h.list(paths.errors), 'set aside').toEqual([`messages--${name}`]);
    expect(h.router.messages.filter((m) => m.text === 'x')).toEqual([]);
    expect(
      (await h.auditEntries()).some((e) => e.details['session'] === '20260101-000000-abcd'),
    ).toBe(true);
  });
});

describe('tasks', () => {
  const schedule = { type: 'schedule_task', prompt: 'check the news', name: 'news' };

  it("hands on a group's own task as its own, whatever group it names", async () => {
    const s = await h.session(h.team);
    await h.write(s.tasks, schedule);
    await h.write(s.tasks, { ...schedule, group: 'team' });
    await h.write(s.tasks, { ...schedule, group: h.team.id, sessionId: 'someone-else' });
    await poll(() => h.router.tasksOf(s.id).length, 'three handed on').toBe(3);
    for (const t of h.router.tasksOf(s.id)) {
      expect(t.group.id).toBe(h.team.id);
      expect(t.task['group']).toBe('team');
    }
    await poll(() => h.sink.of(h.team.folder, s.id).map((i) => i.status), 'kept').toEqual([
      'kept',
      'kept',
      'kept',
    ]);
  });

  it("refuses a non-main group's operation on another group's task (by name or id)", async () => {
    const s = await h.session(h.team);
    await h.write(s.tasks, { type: 'cancel_task', taskId: 't1', group: 'other' });
    await h.write(s.tasks, { type: 'pause_task', taskId: 't2', group: h.other.id });
    await h.write(s.tasks, { type: 'update_task', taskId: 't3', group: 'main' });
    await h.write(s.tasks, { type: 'resume_task', taskId: 't4', group: 'nobody' });
    await poll(() => h.sink.of(h.team.folder, s.id).length, 'four recorded').toBe(4);
    await settled(s);
    expect(h.router.tasksOf(s.id)).toEqual([]);
    expect(h.sink.of(h.team.folder, s.id).every((i) => i.status === 'refused')).toBe(true);
    const entries = await auditFor(s.id);
    expect(entries).toHaveLength(4);
    for (const e of entries)
      expect(e).toMatchObject({
        severity: 'violation',
        category: 'ipc',
        group: 'team',
        container: `aigo-${h.team.folder}-${s.id}`,
      });
    expect(entries.map((e) => e.details['targetGroup']).sort()).toEqual(
      ['main', 'nobody', 'other', h.other.id].sort(),
    );
  });

  it('refuses register_group from a non-main group', async () => {
    const s = await h.session(h.team);
    await h.write(s.tasks, { type: 'register_group', name: 'evil', group: 'team' });
    await poll(() => h.sink.of(h.team.folder, s.id)[0]?.status, 'refused').toBe('refused');
    expect(h.router.tasksOf(s.id)).toEqual([]);
    expect(await auditFor(s.id)).toEqual([
      expect.objectContaining({ severity: 'violation', category: 'ipc', group: 'team' }),
    ]);
  });

  it("refuses a non-main task aimed at another group's chat", async () => {
    const s = await h.session(h.team);
    await h.write(s.tasks, { ...schedule, chatJid: 'tg:222' });
    await h.write(s.tasks, { ...schedule, chatJid: 'tg:111' });
    await poll(() => h.sink.of(h.team.folder, s.id).length, 'both recorded').toBe(2);
    expect(h.router.tasksOf(s.id).map((t) => t.task['chatJid'])).toEqual(['tg:111']);
    expect(await auditFor(s.id)).toEqual([
      expect.objectContaining({
        severity: 'violation',
        details: expect.objectContaining({ targetJid: 'tg:222' }),
      }),
    ]);
  });

  it("lets main register groups and manage another group's tasks", async () => {
    const s = await h.session(h.main);
    await h.write(s.tasks, { type: 'register_group', name: 'new' });
    await h.write(s.tasks, { type: 'cancel_task', taskId: 't1', group: 'other' });
    await poll(() => h.router.tasksOf(s.id).length, 'both handed on').toBe(2);
    const byType = Object.fromEntries(h.router.tasksOf(s.id).map((t) => [t.task.type, t]));
    expect(byType['cancel_task']?.group.id).toBe(h.other.id);
    expect(byType['register_group']?.group.isMain).toBe(true);
    expect(await auditFor(s.id)).toEqual([]);
  });

  it('handles a message and a task with the same file name as two files', async () => {
    const s = await h.session(h.team);
    await h.write(s.tasks, schedule, 'same.json');
    await h.write(s.messages, { type: 'message', chatJid: 'tg:111', text: 'x' }, 'same.json');
    await poll(() => h.router.tasksOf(s.id).length, 'task handed on').toBe(1);
    await poll(() => h.router.messagesOf(s.id).length, 'message delivered').toBe(1);
    await settled(s);
    expect(
      h.sink
        .of(h.team.folder, s.id)
        .map((i) => i.kind)
        .sort(),
    ).toEqual(['message', 'task']);
  });
});

describe('what must never be read or delivered', () => {
  const bad: [string, string][] = [
    ['malformed JSON', '{"type":"message","chatJid":"tg:111","text":'],
    ['JSON that is not an object', '"tg:111"'],
    ['a wrong type', JSON.stringify({ type: 'telegram', chatJid: 'tg:111', text: 'x' })],
    ['a missing chat', JSON.stringify({ type: 'message', text: 'x' })],
    ['an empty text', JSON.stringify({ type: 'message', chatJid: 'tg:111', text: '' })],
    [
      'a text too long',
      JSON.stringify({ type: 'message', chatJid: 'tg:111', text: 'x'.repeat(40_000) }),
    ],
    [
      'more than 64 KiB',
      JSON.stringify({
        type: 'message',
        chatJid: 'tg:111',
        text: 'x',
        pad: 'p'.repeat(MAX_IPC_FILE_BYTES),
      }),
    ],
  ];
  it.each(bad)('sets aside %s in errors/ with an audit entry', async (_what, body) => {
    const s = await h.session(h.team);
    const name = await h.write(s.messages, body);
    await poll(() => h.list(s.errors), 'set aside').toEqual([`messages--${name}`]);
    await settled(s);
    expect(h.router.messagesOf(s.id)).toEqual([]);
    expect(h.sink.of(h.team.folder, s.id)).toEqual([]);
    await poll(async () => (await auditFor(s.id)).map((e) => e.category), 'audited').toEqual([
      'ipc',
    ]);
  });

  it('sets aside a malformed task the same way', async () => {
    const s = await h.session(h.team);
    const name = await h.write(s.tasks, { type: 'format_disk' });
    await poll(() => h.list(s.errors), 'set aside').toEqual([`tasks--${name}`]);
    expect(h.router.tasksOf(s.id)).toEqual([]);
  });

  it('never follows a symlink to a host file: not read, not delivered, set aside', async () => {
    const s = await h.session(h.team);
    const secret = join(h.home, 'secret.json');
    const content = JSON.stringify({ type: 'message', chatJid: 'tg:111', text: 'SECRET-42' });
    await writeFile(secret, content);
    await symlink(secret, join(s.messages, 'link.json'));
    await poll(() => h.list(s.errors), 'set aside').toEqual(['messages--link.json']);
    expect((await lstat(join(s.errors, 'messages--link.json'))).isSymbolicLink()).toBe(true);
    expect(await readFile(secret, 'utf8')).toBe(content);
    expect(h.router.messages.some((m) => m.text.includes('SECRET'))).toBe(false);
    expect(JSON.stringify(await h.auditEntries())).not.toContain('SECRET');
    expect(JSON.stringify(h.sink.of(h.team.folder, s.id))).not.toContain('SECRET');
  });

  it('does not hang on a FIFO, and goes on delivering', async () => {
    const s = await h.session(h.team);
    execFileSync('mkfifo', [join(s.messages, 'pipe.json')]);
    await poll(() => h.list(s.errors), 'FIFO set aside').toEqual(['messages--pipe.json']);
    await h.write(s.messages, { type: 'message', chatJid: 'tg:111', text: 'after the pipe' });
    await poll(() => h.router.messagesOf(s.id).map((m) => m.text), 'delivered').toEqual([
      'after the pipe',
    ]);
  });

  it('leaves temp files, hidden files, other names and folders alone', async () => {
    const s = await h.session(h.team);
    const msg = JSON.stringify({ type: 'message', chatJid: 'tg:111', text: 'not yet' });
    await writeFile(join(s.messages, '.half.json.tmp'), msg);
    await writeFile(join(s.messages, '.hidden.json'), msg);
    await writeFile(join(s.messages, 'note.txt'), msg);
    await mkdir(join(s.messages, 'dir.json'));
    await h.write(s.messages, { type: 'message', chatJid: 'tg:111', text: 'real' });
    await poll(() => h.router.messagesOf(s.id).map((m) => m.text), 'delivered').toEqual(['real']);
    expect((await h.list(s.messages)).sort()).toEqual(
      ['.half.json.tmp', '.hidden.json', 'dir.json', 'note.txt'].sort(),
    );
    expect(await h.list(s.errors)).toEqual([]);
  });
});
