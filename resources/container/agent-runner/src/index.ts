import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForFollowUp, waitForJobFile } from './waiting';
import { loadConversation, saveConversation } from './conversation';
import { paths } from './ipc';
import { jobSchema, type Job } from './job';
import { runLoop } from './loop';
import { emit } from './protocol';
import { anthropicProvider } from './providers/anthropic';
import { openAiProvider } from './providers/openai';
import { JOB_FILE, Steering } from './steering';
import { TOOLS } from './tools';
import { killAllCommands } from './tools/command';

const EXIT = { ok: 0, failed: 1, badJob: 2, timeout: 124, stopped: 143 } as const;

async function readJob(inputDir: string): Promise<unknown> {
  const file = join(inputDir, JOB_FILE);
  // The host hands over the task only after it has checked the container's mounts.
  if (process.env.AIGO_WAIT_FOR_JOB === '1')
    await waitForJobFile(file, Number(process.env.AIGO_JOB_WAIT_SECS ?? 120) * 1000);
  if (existsSync(file)) {
    const text = await readFile(file, 'utf8');
    await rm(file, { force: true });
    return JSON.parse(text);
  }
  if (process.stdin.isTTY) throw new Error(`No job: write ${file} or pipe the job JSON to stdin.`);
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text);
}

function fail(code: string, message: string, exitCode: number): never {
  emit({ type: 'error', code, message });
  process.exit(exitCode);
}

async function main(): Promise<void> {
  const p = paths(process.env.AIGO_WORKSPACE ?? '/workspace');
  await mkdir(p.input, { recursive: true }).catch(() => undefined);
  let job: Job;
  try {
    const parsed = jobSchema.safeParse(await readJob(p.input));
    if (!parsed.success)
      fail(
        'INVALID_JOB',
        `Invalid job: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        EXIT.badJob,
      );
    job = parsed.data;
  } catch (error) {
    fail('INVALID_JOB', (error as Error).message, EXIT.badJob);
  }
  emit({
    type: 'progress',
    event: 'start',
    sessionId: job.sessionId,
    group: job.group,
    model: job.model,
    provider: job.provider,
  });

  const controller = new AbortController();
  const timeoutMessage = `The session passed its ${job.timeoutSecs} s limit and was stopped.`;
  // Abort first, so the loop can stop cleanly; if anything still blocks after a grace period
  // (a hung read, a busy regex), stop the process anyway: the limit is a limit.
  const timer =
    job.timeoutSecs > 0
      ? setTimeout(() => {
          controller.abort(new Error('timeout'));
          killAllCommands();
          setTimeout(() => fail('TIMEOUT', timeoutMessage, EXIT.timeout), 2000).unref();
        }, job.timeoutSecs * 1000)
      : null;
  const steering = new Steering(p.input);
  steering.start();
  try {
    const provider =
      job.provider === 'openai' ? openAiProvider(process.env) : anthropicProvider(process.env);
    const outputCap = Number(process.env.AIGO_TOOL_OUTPUT_CAP ?? 30_000);
    const stateDir = process.env.AIGO_STATE_DIR;
    let { messages, turns } = stateDir
      ? await loadConversation(stateDir)
      : { messages: [], turns: 0 };
    let prompt = job.prompt;
    // Answer, then (with an idle timeout) wait for a follow-up and answer that, until idle.
    for (;;) {
      const result = await runLoop({
        job: { ...job, prompt },
        history: messages,
        firstTurn: turns + 1,
        save: async (all) => {
          messages = all;
          if (stateDir) await saveConversation(stateDir, all, turns);
        },
        paths: p,
        provider,
        tools: TOOLS,
        steering,
        signal: controller.signal,
        outputCap,
      });
      turns = result.turns;
      if (stateDir) await saveConversation(stateDir, messages, turns);
      emit({ type: 'result', ...result });
      if (result.stopReason === 'closed' || job.idleTimeoutSecs <= 0) break;
      emit({ type: 'progress', event: 'idle', idleTimeoutSecs: job.idleTimeoutSecs });
      const followUp = await waitForFollowUp(
        steering,
        job.idleTimeoutSecs * 1000,
        controller.signal,
      );
      if (followUp === null) break;
      emit({ type: 'progress', event: 'follow_up', turn: turns + 1 });
      prompt = followUp;
    }
    process.exitCode = EXIT.ok;
  } catch (error) {
    if (controller.signal.aborted) fail('TIMEOUT', timeoutMessage, EXIT.timeout);
    const e = error as { status?: number; message?: string };
    fail(e.status ? `API_${e.status}` : 'FAILED', e.message ?? String(error), EXIT.failed);
  } finally {
    if (timer) clearTimeout(timer);
    steering.stop();
  }
}

// As PID 1 in a container, node ignores SIGTERM unless it handles it: `docker stop` must work.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    killAllCommands();
    fail('STOPPED', `The session was stopped by the host (${signal}).`, EXIT.stopped);
  });
}
process.on('uncaughtException', (error) =>
  fail('CRASH', error.stack ?? error.message, EXIT.failed),
);
process.on('unhandledRejection', (error) =>
  fail('CRASH', String((error as Error)?.stack ?? error), EXIT.failed),
);
void main();
