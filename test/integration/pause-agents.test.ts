import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/shared/schemas/audit';
import type { Session, SessionDetail } from '../../src/shared/schemas/sessions';
import { startAgentApp } from '../helpers/agent-app';
import { dockerRequirement, requirePart } from '../helpers/requirements';
import { text, type LlmRequest, type Turn } from '../helpers/scripted-llm';

const runDocker = requirePart('Docker', dockerRequirement());

/**
 * "Pause all agents" (the tray's, or `sessions.paused` in Settings): agents at work are asked to
 * stop, sessions started meanwhile wait in the queue, and Resume starts them.
 */
describe.runIf(runDocker)('pause all agents, on the real engine', () => {
  let app: Awaited<ReturnType<typeof startAgentApp>>;
  const script = (_n: number, req: LlmRequest): Turn => {
    const first = JSON.stringify(req.body.messages[0]?.content ?? '');
    // The long one "thinks" for a minute: it is at work when the pause comes.
    return first.includes('SCENARIO:long')
      ? { blocks: [text('finally')], delayMs: 60_000 }
      : { blocks: [text('done')] };
  };
  beforeAll(async () => {
    app = await startAgentApp(script);
  });
  afterAll(() => app?.stop());

  const get = (id: string) => app.call('sessions.get', { id }) as Promise<SessionDetail>;
  const waitFor = (id: string, pred: (s: SessionDetail) => boolean, message: string) =>
    expect.poll(async () => pred(await get(id)), { timeout: 30_000, message }).toBe(true);

  it('stops the agent at work, holds new sessions, and Resume starts them', async () => {
    const long = (await app.call('sessions.create', { prompt: 'SCENARIO:long' })) as Session;
    await waitFor(long.id, (s) => s.state === 'running', 'the long agent runs');

    await app.call('settings.update', { sessions: { paused: true } });
    await waitFor(long.id, (s) => s.state === 'ended', 'the paused agent stopped');

    const held = (await app.call('sessions.create', { prompt: 'SCENARIO:quick' })) as Session;
    // Long enough for a free slot to have started it, were the queue not held.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await get(held.id)).state).toBe('queued');

    await app.call('settings.update', { sessions: { paused: false } });
    await waitFor(
      held.id,
      (s) => s.state === 'ended' && s.lastStatus === 'succeeded',
      'the held session ran after Resume',
    );

    const audit = (await app.call('audit.query', { category: 'session', limit: 50 })) as {
      entries: AuditEntry[];
    };
    const messages = audit.entries.map((e) => e.message);
    expect(messages.some((m) => /^All agents paused: 1 asked to stop/.test(m))).toBe(true);
    expect(messages).toContain('Agents resumed: queued sessions start again');
  }, 120_000);
});
