import { readdir, rename, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Session } from '../src/shared/schemas/sessions';
import { startFakeTelegram, type FakeTelegram } from '../test/helpers/fake-telegram';
import { dockerRequirement } from '../test/helpers/requirements';
import { text } from '../test/helpers/scripted-llm';
import { scenarioOf, startLiveApp, type LiveApp } from './sessions/live-app';
import { gap, ms, ratio, sleep, summarize, waitFor, type Summary } from './sessions/stats';
import { SteerScript } from './sessions/steering';

/**
 * Chat channels, end to end on the real engine: `aigo serve` in its own process, the Telegram
 * Bot API (the local fake telegraf talks to) and the scripted LLM in this one.
 *  - inbound: a Telegram message is pushed → the agent's container runs (its session turns
 *    `running`, from the app's event stream); beside it, when the peer's 2,000 ms message poll
 *    would even have seen the same message;
 *  - outbound: an agent's reply file lands in ipc/messages/ → Telegram receives sendMessage;
 *    beside it, when the peer's 1,000 ms IPC poll would have listed the same file.
 */
const TOKEN = '7000001:AAE-bench-token-abcdefghijklmnopqrstuvwx';
const INBOUND_RUNS = 10;
const OUTBOUND_MESSAGES = 200;
const PEER_MESSAGE_POLL_MS = 2000;
const PEER_IPC_POLL_MS = 1000;
const STEP_LIMIT_MS = 30_000;

interface Pair {
  aigo: Summary;
  peer: Summary;
}

/** When a poller with period `everyMs`, started at `phase`, first looks at or after `t`. */
const pollSeen = (t: number, phase: number, everyMs: number) =>
  phase + Math.ceil((t - phase) / everyMs) * everyMs;

async function inbound(app: LiveApp, telegram: FakeTelegram): Promise<Pair> {
  const aigo: number[] = [];
  const peer: number[] = [];
  const phase = performance.now();
  for (let i = 0; i < INBOUND_RUNS; i++) {
    const chatId = 9000 + i;
    const from = app.events.events.length;
    const pushedAt = performance.now();
    telegram.push({
      chatId,
      text: `SCENARIO:quick hello ${i}`,
      from: { id: chatId, username: `u${i}` },
    });
    const running = await waitFor(
      `the agent for tg:${chatId} runs`,
      () =>
        app.events.events
          .slice(from)
          .find(
            (e) =>
              e.name === 'session.updated' &&
              e.payload.chatJid === `tg:${chatId}` &&
              e.payload.state === 'running',
          ),
      STEP_LIMIT_MS,
    );
    aigo.push(running.at - pushedAt);
    peer.push(pollSeen(pushedAt, phase, PEER_MESSAGE_POLL_MS) - pushedAt);
    // Let this one finish before the next: one agent at a time, like a quiet chat.
    await waitFor(
      'the session ends',
      () =>
        app.events.events
          .slice(from)
          .find(
            (e) =>
              e.name === 'session.updated' &&
              e.payload.chatJid === `tg:${chatId}` &&
              e.payload.state === 'ended',
          ),
      STEP_LIMIT_MS,
    );
    await gap(100, 300);
  }
  return { aigo: summarize(aigo), peer: summarize(peer) };
}

async function outbound(app: LiveApp, telegram: FakeTelegram, steer: SteerScript): Promise<Pair> {
  // A session held mid-turn by the LLM: its ipc/messages/ is watched while the bench writes.
  const session = (await app.call('sessions.create', { prompt: 'SCENARIO:steer hold' })) as Session;
  await waitFor('the held agent runs', () => steer.heldAt, STEP_LIMIT_MS, 5);
  const dir = join(app.dataDir, 'sessions', 'main', session.id, 'ipc', 'messages');
  const aigo: number[] = [];
  const peer: number[] = [];
  const phase = performance.now();
  for (let i = 0; i < OUTBOUND_MESSAGES; i++) {
    const body = `bench reply ${i}`;
    const name = `${Date.now()}-${i}.json`;
    await writeFile(
      join(dir, `.${name}.tmp`),
      JSON.stringify({ type: 'message', chatJid: 'tg:5', text: body }),
    );
    const before = telegram.sent.length;
    const at = performance.now();
    await rename(join(dir, `.${name}.tmp`), join(dir, name));
    await waitFor(
      `reply ${i} reaches Telegram`,
      () => telegram.sent.length > before,
      STEP_LIMIT_MS,
    );
    aigo.push(performance.now() - at);
    peer.push(pollSeen(at, phase, PEER_IPC_POLL_MS) - at);
    await gap(5, 25);
  }
  steer.release();
  await waitFor(
    'the folder is drained',
    async () => (await readdir(dir)).length === 0,
    STEP_LIMIT_MS,
    50,
  );
  return { aigo: summarize(aigo), peer: summarize(peer) };
}

export async function channelsBench(): Promise<void> {
  console.log(
    `\nChat channels (${cpus().length} CPUs, Node ${process.versions.node}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
  );
  const docker = dockerRequirement();
  if (!docker.ok) {
    console.log(`[skip] channels: ${docker.reason}`);
    return;
  }
  const telegram = await startFakeTelegram({ token: TOKEN });
  const steer = new SteerScript();
  const app = await startLiveApp(
    (req) => (scenarioOf(req) === 'steer' ? steer.turn() : { blocks: [text('ok')] }),
    { AIGO_TELEGRAM_API_ROOT: telegram.apiRoot },
  );
  try {
    await app.call('channels.configure', {
      name: 'telegram',
      enabled: true,
      credentials: { botToken: TOKEN },
    });
    await app.call('channels.routing', { unmappedChats: 'default_group' });
    for (
      let i = 0;
      (await app.call('channels.get', { name: 'telegram' })).state !== 'connected';
      i++
    ) {
      if (i > 100) throw new Error('Telegram did not connect');
      await sleep(100);
    }
    const inb = await inbound(app, telegram);
    const out = await outbound(app, telegram, steer);
    const row = (s: Summary) => ({
      n: s.n,
      p50: ms(s.p50),
      p90: ms(s.p90),
      p99: ms(s.p99),
      max: ms(s.max),
    });
    console.table({
      'inbound: Telegram message → agent container running (aigo)': row(inb.aigo),
      [`inbound: peer's ${PEER_MESSAGE_POLL_MS} ms message poll only notices it`]: row(inb.peer),
      'outbound: reply file → Telegram sendMessage received (aigo)': row(out.aigo),
      [`outbound: peer's ${PEER_IPC_POLL_MS} ms IPC poll only lists it`]: row(out.peer),
    });
    console.log(
      `peer/aigo: inbound p50 ${ratio(inb.peer.p50, inb.aigo.p50)}, p99 ${ratio(inb.peer.p99, inb.aigo.p99)} (aigo's figure includes starting the container; the peer's is only noticing the message); outbound p50 ${ratio(out.peer.p50, out.aigo.p50)}, p99 ${ratio(out.peer.p99, out.aigo.p99)}`,
    );
  } finally {
    await app.stop();
    await telegram.close();
  }
}
