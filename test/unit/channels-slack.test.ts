import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelStatus, ValidationResult } from '../../src/shared/schemas/channels';
import type { Group } from '../../src/shared/schemas/groups';
import type { Session } from '../../src/shared/schemas/sessions';
import { startTestApp } from '../helpers/app';
import { SLACK_SCOPES, startFakeSlack, type FakeSlack } from '../helpers/fake-slack';

/** Slack in Socket Mode: @slack/bolt and its WebClient, unmodified, against a local Slack. */
const CREDS = {
  botToken: 'xoxb-test-bot-token-0123456789',
  appToken: 'xapp-test-app-token-0123456789',
};

describe('Slack channel (Socket Mode)', () => {
  let slack: FakeSlack;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const call = <T>(op: string, input: unknown = {}) => app.core.dispatch(op, input) as Promise<T>;
  const status = () => call<ChannelStatus>('channels.get', { name: 'slack' });

  beforeAll(async () => {
    slack = await startFakeSlack(CREDS);
    app = await startTestApp({ channelEndpoints: { slackApiUrl: slack.apiUrl } });
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.close();
  });

  it('validates both tokens, and names missing scopes with where to add them and the reinstall', async () => {
    const ok = await call<ValidationResult>('channels.validate', {
      name: 'slack',
      credentials: CREDS,
    });
    expect(ok.ok).toBe(true);
    slack.setScopes(SLACK_SCOPES.filter((s) => s !== 'im:history' && s !== 'chat:write'));
    const missing = await call<ValidationResult>('channels.validate', {
      name: 'slack',
      credentials: CREDS,
    });
    expect(missing.message).toBe('The bot token lacks the scopes chat:write, im:history.');
    expect(missing.fix.join(' ')).toMatch(/Reinstall to Workspace/);
    slack.setScopes(SLACK_SCOPES);
    const badApp = await call<ValidationResult>('channels.validate', {
      name: 'slack',
      credentials: { ...CREDS, appToken: 'xapp-wrong-token-000000000' },
    });
    expect(badApp.message).toMatch(/refused the app-level token \(invalid_auth\)/);
    const shape = await call<ValidationResult>('channels.validate', {
      name: 'slack',
      credentials: { botToken: 'xoxp-user-token-0000000', appToken: CREDS.appToken },
    });
    expect(shape.message).toMatch(/starts with xoxb-/);
  });

  it('connects over the socket, acknowledges events, and answers a mention in its thread', async () => {
    await call('channels.configure', { name: 'slack', enabled: true, credentials: CREDS });
    await expect.poll(async () => (await status()).state, { timeout: 10_000 }).toBe('connected');
    await expect.poll(() => slack.connections(), { timeout: 10_000 }).toBe(1);
    await call('groups.create', { name: 'eng', chatJids: ['slack:C0ENG'] });
    const envelope = slack.mention('C0ENG', 'summarise the incident', '1700000000.000100');
    await expect.poll(() => slack.acks, { timeout: 10_000 }).toContain(envelope);
    const sessions = async () =>
      (await call<{ sessions: Session[] }>('sessions.list', { limit: 50 })).sessions;
    await expect
      .poll(async () => (await sessions()).find((s) => s.chatJid === 'slack:C0ENG')?.trigger, {
        timeout: 10_000,
      })
      .toBe('channel');
    const eng = (await call<{ groups: Group[] }>('groups.list')).groups.find(
      (g) => g.name === 'eng',
    )!;
    await app.core.services.channels!.delivery.deliver({
      id: 'slack-1',
      group: eng,
      session: 's',
      chatJid: 'slack:C0ENG',
      text: 'Here is the summary.',
    });
    // Among what was sent: the session itself (no runtime here) may also report its failure.
    await expect
      .poll(() => slack.sent, { timeout: 10_000 })
      .toContainEqual({
        channel: 'C0ENG',
        text: 'Here is the summary.',
        threadTs: '1700000000.000100',
      });
  });

  it('waits out a 429 Retry-After, and reconnects when Slack asks for a refresh', async () => {
    const eng = (await call<{ groups: Group[] }>('groups.list')).groups.find(
      (g) => g.name === 'eng',
    )!;
    slack.rateLimitNext(1, 1);
    const before = slack.sent.length;
    const started = Date.now();
    await app.core.services.channels!.delivery.deliver({
      id: 'slack-2',
      group: eng,
      session: 's',
      chatJid: 'slack:C0ENG',
      text: 'after the limit',
    });
    await expect.poll(() => slack.sent.length - before, { timeout: 10_000 }).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);

    const opened = slack.opened();
    slack.refresh();
    await expect.poll(() => slack.opened(), { timeout: 15_000 }).toBe(opened + 1);
    await expect.poll(() => slack.connections(), { timeout: 15_000 }).toBe(1);
    const envelope = slack.dm('D0ADA', 'are you there?');
    await expect.poll(() => slack.acks, { timeout: 10_000 }).toContain(envelope);
    await expect
      .poll(async () => (await status()).chats.map((c) => c.jid), { timeout: 10_000 })
      .toContain('slack:D0ADA');
  });
});
