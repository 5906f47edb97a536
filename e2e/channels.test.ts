import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT, startFakeTelegram, type FakeTelegram } from '../test/helpers/fake-telegram';
import { chromiumRequirement, requirePart } from '../test/helpers/requirements';
import { screenshot, watchErrors } from './browser';
import { startE2eApp, type E2eApp } from './fixture';

const run = requirePart('Chromium', chromiumRequirement());
const TOKEN = '7000001:AAE-e2e-token-abcdefghijklmnopqrstuvwxyz';

describe.runIf(run)('Settings > Channels > Telegram in the browser', () => {
  let app: E2eApp;
  let telegram: FakeTelegram;
  let page: Page;

  beforeAll(async () => {
    telegram = await startFakeTelegram({ token: TOKEN });
    app = await startE2eApp({ env: { AIGO_TELEGRAM_API_ROOT: telegram.apiRoot } });
    page = await app.browser.newPage({ viewport: { width: 1100, height: 900 } });
  });
  afterAll(async () => {
    await app?.stop();
    await telegram?.close();
  });

  it('validates a token, connects, goes green, and maps a chat that wrote in to a group', async () => {
    const errors = watchErrors(page);
    await page.goto(app.serve.uiLink);
    await page.getByTestId('nav-channels').click();
    await expect.poll(() => page.getByTestId('channel-state').textContent()).toBe('Off');

    const form = page.getByTestId('telegram-credentials');
    await form.getByLabel('Bot token').fill('7000001:AAE-wrong-token-abcdefghijklmnopqrstu');
    await form.getByTestId('validate-token').click();
    await expect
      .poll(() => page.getByTestId('channel-validation').textContent())
      .toContain('refused the bot token');
    expect(await page.getByTestId('channel-validation').textContent()).toContain('BotFather');

    await form.getByLabel('Bot token').fill(TOKEN);
    await form.getByTestId('validate-token').click();
    await expect
      .poll(() => page.getByTestId('channel-validation').textContent())
      .toContain(`@${BOT.username}`);
    await form.getByTestId('save-telegram').click();
    await expect.poll(() => page.getByTestId('channel-state').textContent()).toBe('Connected');
    expect(await page.getByTestId('channel-bot').textContent()).toContain(BOT.username);
    // The token is not on the page, nor in what the API gives out.
    expect(await page.content()).not.toContain(TOKEN);
    expect(await (await app.api('GET', '/api/v1/channels/telegram')).text()).not.toContain(TOKEN);

    telegram.push({
      chatId: 31337,
      text: 'hello from Telegram',
      from: { id: 31337, username: 'grace' },
    });
    await expect.poll(() => page.getByTestId('channel-chat').count()).toBe(1);
    await page.getByTestId('chat-group').selectOption({ label: 'main' });
    await expect
      .poll(async () => {
        const groups = (await (await app.api('GET', '/api/v1/container/namespaces')).json()) as {
          groups: { name: string; chatJids: string[] }[];
        };
        return groups.groups.find((g) => g.name === 'main')?.chatJids ?? [];
      })
      .toContain('tg:31337');
    await screenshot(page, 'channels-telegram');

    // The tray and the guide's curl see the same: GET /api/v1/channels/telegram.
    const status = (await (await app.api('GET', '/api/v1/channels/telegram')).json()) as {
      state: string;
      chats: { jid: string; group: string | null }[];
    };
    expect(status.state).toBe('connected');
    expect(status.chats).toEqual([expect.objectContaining({ jid: 'tg:31337', group: 'main' })]);
    expect(errors).toEqual([]);
  });

  it('the WhatsApp tab explains the tunnel and the webhook path', async () => {
    await page.getByTestId('tab-channel-whatsapp').click();
    const help = page.getByTestId('whatsapp-webhook-help');
    await expect.poll(() => help.textContent()).toContain('/api/v1/channels/whatsapp/webhook');
    expect(await help.textContent()).toContain('cloudflared tunnel --url');
    await screenshot(page, 'channels-whatsapp');
  });
});
