import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastUserText, startScriptedLlm, text } from '../helpers/scripted-llm';
import { requireBuild, ROOT } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp';

const RUNNER = join(ROOT, 'out/container/agent-runner.mjs');

/**
 * What sessions need of the runner: it waits for its job (the host hands it over after checking
 * the mounts), keeps the conversation in its state folder for a later run, and with an idle
 * timeout answers follow-ups before it exits.
 */
describe('the runner in a session', () => {
  let ws: Awaited<ReturnType<typeof tempDir>>;
  let llm: Awaited<ReturnType<typeof startScriptedLlm>> | null = null;
  const children: ChildProcess[] = [];

  const runner = (env: Record<string, string> = {}) => {
    requireBuild();
    const child = spawn(process.execPath, [RUNNER], {
      env: {
        PATH: process.env.PATH,
        AIGO_WORKSPACE: ws.path,
        ANTHROPIC_BASE_URL: llm?.url ?? '',
        ANTHROPIC_API_KEY: 'CREDENTIAL_PROXY_PLACEHOLDER',
        AIGO_STATE_DIR: join(ws.path, 'state'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const lines: Record<string, unknown>[] = [];
    let buffer = '';
    child.stdout.on('data', (c: Buffer) => {
      buffer += c.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const p of parts) lines.push(JSON.parse(p) as Record<string, unknown>);
    });
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    return { lines, done };
  };
  // Written then renamed, as the host does: the runner never reads half a job.
  const job = async (extra: Record<string, unknown> = {}) => {
    const temp = join(ws.path, 'ipc/input/.job.json.tmp');
    await writeFile(
      temp,
      JSON.stringify({
        sessionId: 's1',
        group: 'main',
        prompt: 'first task',
        timeoutSecs: 60,
        ...extra,
      }),
    );
    await rename(temp, join(ws.path, 'ipc/input/job.json'));
  };

  beforeEach(async () => {
    ws = await tempDir('aigo-runner-session-');
    await mkdir(join(ws.path, 'ipc/input'), { recursive: true });
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await llm?.close();
    llm = null;
    await ws.cleanup();
  });

  it('waits for its job before doing anything, then runs it', async () => {
    llm = await startScriptedLlm([{ blocks: [text('done')] }]);
    const run = runner({ AIGO_WAIT_FOR_JOB: '1' });
    await new Promise((r) => setTimeout(r, 500));
    expect(llm.requests).toHaveLength(0); // nothing happens without a job
    await job();
    expect(await run.done).toBe(0);
    expect(lastUserText(llm.requests[0]!)).toContain('first task');
  });

  it('keeps the conversation: a later run continues it', async () => {
    llm = await startScriptedLlm([
      { blocks: [text('The answer is 42.')] },
      { blocks: [text('You asked about 42.')] },
    ]);
    await job();
    expect(await runner().done).toBe(0);
    const saved = JSON.parse(await readFile(join(ws.path, 'state/conversation.json'), 'utf8')) as {
      messages: unknown[];
      turns: number;
    };
    expect(saved.messages).toHaveLength(2);
    await job({ prompt: 'what did you say?' });
    const second = runner();
    expect(await second.done).toBe(0);
    const history = JSON.stringify(llm.requests[1]?.body.messages);
    expect(history).toContain('first task');
    expect(history).toContain('The answer is 42.');
    expect(history).toContain('what did you say?');
    expect(second.lines.find((l) => l.type === 'result')).toMatchObject({ turns: 2 });
  });

  it('with an idle timeout, answers a follow-up, then exits when idle', async () => {
    llm = await startScriptedLlm([
      { blocks: [text('first answer')] },
      { blocks: [text('second answer')] },
    ]);
    await job({ idleTimeoutSecs: 2 });
    const run = runner();
    await expect
      .poll(() => run.lines.some((l) => l.event === 'idle'), { timeout: 10_000 })
      .toBe(true);
    await writeFile(
      join(ws.path, 'ipc/input/1-follow.json'),
      JSON.stringify({ text: 'and then?' }),
    );
    expect(await run.done).toBe(0);
    expect(run.lines.filter((l) => l.type === 'result').map((l) => l.text)).toEqual([
      'first answer',
      'second answer',
    ]);
    expect(lastUserText(llm.requests[1]!)).toContain('and then?');
  });
});
