import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastUserText, startScriptedLlm, text, toolUse, type Turn } from '../helpers/scripted-llm';
import { requireBuild, ROOT } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp';

const RUNNER = join(ROOT, 'out/container/agent-runner.mjs');

interface Run {
  lines: Record<string, unknown>[];
  code: number | null;
  stderr: string;
}

const children = new Set<ChildProcess>();

/** Runs the bundled runner as the container would, with /workspace replaced by a temp folder. */
function startRunner(workspace: string, llmUrl: string, env: Record<string, string> = {}) {
  requireBuild();
  const child = spawn(process.execPath, [RUNNER], {
    env: {
      PATH: process.env.PATH,
      AIGO_WORKSPACE: workspace,
      ANTHROPIC_BASE_URL: llmUrl,
      ANTHROPIC_API_KEY: 'CREDENTIAL_PROXY_PLACEHOLDER',
      AIGO_PROXY_TOKEN: 'session-token-1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so cleanup also ends what its tools started
  });
  children.add(child);
  child.on('close', () => children.delete(child));
  const run: Run = { lines: [], code: null, stderr: '' };
  let buffer = '';
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  child.stdout.on('data', (c: Buffer) => {
    buffer += c.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) {
      const line = JSON.parse(part) as Record<string, unknown>; // every stdout line must be JSON
      run.lines.push(line);
      for (const w of waiters.filter((w) => w.match(line))) w.resolve();
    }
  });
  child.stderr.on('data', (c: Buffer) => (run.stderr += c.toString()));
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code) => resolve({ ...run, code })),
  );
  return {
    child,
    run,
    done,
    /** Resolves on the first matching line; fails if the runner exits or 15 s pass first. */
    waitFor: (match: (l: Record<string, unknown>) => boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching line within 15 s: ${JSON.stringify(run.lines)}`)),
          15_000,
        );
        waiters.push({
          match,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void done.then(() => {
          clearTimeout(timer);
          reject(new Error(`the runner exited first: ${JSON.stringify(run.lines)} ${run.stderr}`));
        });
      }),
  };
}

describe('the agent runner against a scripted Anthropic-compatible server', () => {
  let ws: Awaited<ReturnType<typeof tempDir>>;
  let llm: Awaited<ReturnType<typeof startScriptedLlm>> | null = null;
  const job = (extra: Record<string, unknown> = {}) =>
    writeFile(
      join(ws.path, 'ipc/input/job.json'),
      JSON.stringify({
        sessionId: 's1',
        group: 'main',
        mode: 'cowork',
        prompt: 'Do the work',
        model: 'claude-test',
        maxTurns: 10,
        timeoutSecs: 60,
        chatJid: 'tg:123456789',
        isMain: true,
        ...extra,
      }),
    );

  beforeEach(async () => {
    ws = await tempDir('aigo-ws-');
    await mkdir(join(ws.path, 'ipc/input'), { recursive: true });
  });
  afterEach(async () => {
    for (const child of children) {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await llm?.close();
    llm = null;
    await ws.cleanup();
  });

  it('runs tools, writes an IPC message file, and ends with a result', async () => {
    llm = await startScriptedLlm([
      {
        blocks: [
          text('Writing a note.'),
          toolUse('write_file', { path: 'notes/hello.txt', content: 'hi there' }),
          toolUse('run_command', { command: 'cat notes/hello.txt && echo " ok"' }),
        ],
      },
      {
        blocks: [
          toolUse('send_message', { text: 'Your note is ready.' }),
          toolUse('list_directory', { path: 'notes' }),
        ],
      },
      { blocks: [text('All done.')] },
    ]);
    await job();
    const r = await startRunner(ws.path, llm.url).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines.at(-1)).toMatchObject({
      type: 'result',
      text: 'All done.',
      turns: 3,
      stopReason: 'end_turn',
      usage: { inputTokens: 30, outputTokens: 15 },
    });
    expect(r.lines.filter((l) => l.type === 'message').map((l) => l.text)).toEqual([
      'Writing a note.',
      'All done.',
    ]);
    expect(await readFile(join(ws.path, 'notes/hello.txt'), 'utf8')).toBe('hi there');
    expect(lastUserText(llm.requests[1]!)).toContain('hi there ok');
    expect(lastUserText(llm.requests[2]!)).toContain('hello.txt');

    const messages = await readdir(join(ws.path, 'ipc/messages'));
    expect(messages.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(messages).toHaveLength(1);
    expect(
      JSON.parse(await readFile(join(ws.path, 'ipc/messages', messages[0]!), 'utf8')),
    ).toMatchObject({ type: 'message', chatJid: 'tg:123456789', text: 'Your note is ready.' });
    // The SDK talks to ANTHROPIC_BASE_URL with the placeholder and the session token.
    const h = llm.requests[0]!.headers;
    expect(h['x-api-key'] ?? h.authorization?.replace(/^Bearer /, '')).toBe(
      'CREDENTIAL_PROXY_PLACEHOLDER',
    );
    expect(llm.requests[0]!.headers['x-aigo-session']).toBe('session-token-1');
    expect(llm.requests[0]!.body.tools?.map((t) => t.name).sort()).toEqual([
      'list_directory',
      'read_file',
      'run_command',
      'schedule_task',
      'search_files',
      'send_message',
      'write_file',
    ]);
    expect(existsSync(join(ws.path, 'ipc/input/job.json'))).toBe(false);
  });

  it('turns a file dropped mid-run into a user message, and _close ends the session after that turn', async () => {
    const input = join(ws.path, 'ipc/input');
    const turns: Turn[] = [
      { blocks: [toolUse('run_command', { command: 'sleep 1.5; echo slept' })] },
      {
        blocks: [
          toolUse('schedule_task', {
            prompt: 'Check the news',
            scheduleType: 'cron',
            scheduleValue: '0 9 * * *',
          }),
        ],
        before: () => writeFile(join(input, '_close'), ''),
      },
      { blocks: [text('never reached')] },
    ];
    llm = await startScriptedLlm(turns);
    await job();
    const runner = startRunner(ws.path, llm.url);
    await runner.waitFor((l) => l.event === 'tool_call' && l.tool === 'run_command');
    await writeFile(
      join(input, 'steer-1.json'),
      JSON.stringify({ type: 'message', text: 'Please also water the plants' }),
    );
    const r = await runner.done;
    expect(r.code, r.stderr).toBe(0);
    expect(lastUserText(llm.requests[1]!)).toContain('Please also water the plants');
    expect(lastUserText(llm.requests[1]!)).toContain('slept');
    expect(llm.requests).toHaveLength(2);
    expect(r.lines.at(-1)).toMatchObject({ type: 'result', stopReason: 'closed', turns: 2 });
    expect(existsSync(join(input, 'steer-1.json'))).toBe(false);
    const tasks = await readdir(join(ws.path, 'ipc/tasks'));
    expect(JSON.parse(await readFile(join(ws.path, 'ipc/tasks', tasks[0]!), 'utf8'))).toMatchObject(
      {
        type: 'schedule_task',
        prompt: 'Check the news',
        schedule: { type: 'cron', value: '0 9 * * *' },
        group: 'main',
      },
    );
  });

  it('stops at max turns', async () => {
    llm = await startScriptedLlm(() => ({ blocks: [toolUse('list_directory', {})] }));
    await job({ maxTurns: 2 });
    const r = await startRunner(ws.path, llm.url).done;
    expect(r.code).toBe(0);
    expect(r.lines.at(-1)).toMatchObject({ type: 'result', stopReason: 'max_turns', turns: 2 });
    expect(llm.requests).toHaveLength(2);
  });

  it('stops at the wall-clock timeout with an error line and exit 124', async () => {
    llm = await startScriptedLlm(() => ({ blocks: [text('late')], delayMs: 10_000 }));
    await job({ timeoutSecs: 1 });
    const started = Date.now();
    const r = await startRunner(ws.path, llm.url).done;
    expect(r.code).toBe(124);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(r.lines.at(-1)).toMatchObject({ type: 'error', code: 'TIMEOUT' });
  });

  it('caps tool output', async () => {
    llm = await startScriptedLlm([
      { blocks: [toolUse('run_command', { command: 'head -c 20000 /dev/zero | tr "\\0" x' })] },
      { blocks: [text('ok')] },
    ]);
    await job();
    const r = await startRunner(ws.path, llm.url, { AIGO_TOOL_OUTPUT_CAP: '500' }).done;
    expect(r.code).toBe(0);
    const result = lastUserText(llm.requests[1]!);
    expect(result.length).toBeLessThan(700);
    expect(result).toContain('[truncated');
  });

  it('stops on SIGTERM (docker stop) with an error line and exit 143', async () => {
    llm = await startScriptedLlm([{ blocks: [toolUse('run_command', { command: 'sleep 30' })] }]);
    await job();
    const runner = startRunner(ws.path, llm.url);
    await runner.waitFor((l) => l.event === 'tool_call');
    runner.child.kill('SIGTERM');
    const started = Date.now();
    const r = await runner.done;
    expect(r.code).toBe(143);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.lines.at(-1)).toMatchObject({ type: 'error', code: 'STOPPED' });
  });

  it('refuses to read what is not a regular file', async () => {
    llm = await startScriptedLlm([
      { blocks: [toolUse('read_file', { path: '/dev/zero' })] },
      { blocks: [text('ok')] },
    ]);
    await job();
    const r = await startRunner(ws.path, llm.url).done;
    expect(r.code).toBe(0);
    expect(lastUserText(llm.requests[1]!)).toContain('is not a regular file');
  });

  it('speaks the OpenAI-compatible chat API as its second provider', async () => {
    const requests: {
      headers: Record<string, unknown>;
      body: {
        messages: { role: string; content: string | null; tool_call_id?: string }[];
        tools: { type: string; function: { name: string } }[];
      };
    }[] = [];
    const replies = [
      {
        choices: [
          {
            finish_reason: 'tool_calls',
            message: {
              content: null,
              tool_calls: [
                {
                  id: 'call_1',
                  type: 'function',
                  function: {
                    name: 'write_file',
                    arguments: JSON.stringify({ path: 'o.txt', content: 'from openai' }),
                  },
                },
              ],
            },
          },
        ],
        usage: { prompt_tokens: 7, completion_tokens: 3 },
      },
      {
        choices: [{ finish_reason: 'stop', message: { content: 'Done via OpenAI.' } }],
        usage: { prompt_tokens: 9, completion_tokens: 4 },
      },
    ];
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        requests.push({ headers: req.headers, body: JSON.parse(raw) });
        res.writeHead(req.url === '/v1/chat/completions' ? 200 : 404, {
          'content-type': 'application/json',
        });
        res.end(JSON.stringify(replies[requests.length - 1] ?? { error: { message: 'no more' } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await job({ provider: 'openai', model: 'local-model' });
      const r = await startRunner(
        ws.path,
        `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      ).done;
      expect(r.code, r.stderr).toBe(0);
      expect(r.lines.at(-1)).toMatchObject({
        type: 'result',
        text: 'Done via OpenAI.',
        turns: 2,
        usage: { inputTokens: 16, outputTokens: 7 },
      });
      expect(await readFile(join(ws.path, 'o.txt'), 'utf8')).toBe('from openai');
      expect(requests[0]!.headers.authorization).toBe('Bearer CREDENTIAL_PROXY_PLACEHOLDER');
      expect(requests[0]!.headers['x-aigo-session']).toBe('session-token-1');
      expect(requests[0]!.body.messages.map((m) => m.role)).toEqual(['system', 'user']);
      expect(requests[0]!.body.tools.map((t) => t.function.name)).toContain('run_command');
      const toolMessage = requests[1]!.body.messages.find((m) => m.role === 'tool');
      expect(toolMessage).toMatchObject({ tool_call_id: 'call_1' });
      expect(toolMessage?.content).toContain('Wrote 11 bytes');
    } finally {
      server.close();
    }
  });

  it('reports a bad job as an error line first, with exit 2', async () => {
    llm = await startScriptedLlm([]);
    await writeFile(join(ws.path, 'ipc/input/job.json'), JSON.stringify({ sessionId: 's1' }));
    const r = await startRunner(ws.path, llm.url).done;
    expect(r.code).toBe(2);
    expect(r.lines[0]).toMatchObject({ type: 'error', code: 'INVALID_JOB' });
    expect(String(r.lines[0]!.message)).toContain('prompt');
  });

  it('reports an API failure (the proxy refusing) as an error line', async () => {
    llm = await startScriptedLlm([]);
    await job();
    const r = await startRunner(ws.path, `${llm.url}/nowhere`).done;
    expect(r.code).toBe(1);
    expect(r.lines.at(-1)).toMatchObject({ type: 'error', code: 'API_404' });
  });
});
