import { Agent, request } from 'node:http';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditLog, type AuditLogDeps } from '../../src/main/services/audit/audit-log';
import { MAX_ENTRY_BYTES } from '../../src/main/services/audit/entry-limits';
import { EventBus } from '../../src/main/services/events/event-bus';
import { auditQuerySchema, type AuditEntry } from '../../src/shared/schemas/audit';
import { startTestApp } from '../helpers/app';
import { silentLogger, tempDir } from '../helpers/temp';

const q = (input: Record<string, unknown> = {}) => auditQuerySchema.parse(input);

async function dirBytes(path: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(path)) total += (await stat(join(path, name))).size;
  return total;
}

/** What the credential proxy records for a refused request, with a 30 KB path as in the attack. */
function refusal(i: number, source = '127.0.0.1') {
  const path = `/v1/messages/${i}/${'A'.repeat(30_000)}`;
  return {
    severity: 'violation' as const,
    category: 'proxy',
    message: `Credential proxy refused POST ${path}: no token`,
    details: { refusal: 'no_token', method: 'POST', path, remote: source },
    coalesceKey: `proxy-refusal:no_token:${source}`,
  };
}

describe('AuditLog under a flood of events anyone can trigger', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let bus: EventBus;
  let log: AuditLog;
  const make = (deps: Partial<AuditLogDeps> = {}) =>
    new AuditLog({ dir: dir.path, bus, logger: silentLogger(), ...deps });
  /** Everything the folder holds, read by a fresh log (the flooded one is stopped). */
  const readBack = async () => {
    const reader = make();
    await reader.start();
    const { entries } = await reader.query(q({ limit: 10_000 }));
    await reader.stop();
    return entries;
  };

  beforeEach(async () => {
    dir = await tempDir();
    bus = new EventBus();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await log?.stop();
    await dir.cleanup();
  });

  it('writes 3,000 refusals of one key as the first entry plus one summary, under 100 KB', async () => {
    log = make();
    await log.start();
    const appended: AuditEntry[] = [];
    bus.on('audit.appended', (e) => appended.push(e));
    const before = await dirBytes(dir.path);
    for (let i = 0; i < 3_000; i++) log.record(refusal(i));
    await log.stop(); // the pending summary is written at stop
    expect((await dirBytes(dir.path)) - before).toBeLessThan(100 * 1024);
    const entries = (await readBack()).filter((e) => e.category === 'proxy');
    expect(entries).toHaveLength(2);
    const [summary, first] = entries;
    expect(first?.details.path).toMatch(/^\/v1\/messages\/0\//);
    expect(summary).toMatchObject({
      severity: 'violation',
      category: 'proxy',
      details: { count: 2_999, coalesceKey: 'proxy-refusal:no_token:127.0.0.1' },
    });
    expect(summary?.message).toMatch(/^Credential proxy refused POST \/v1\/messages\/1\//);
    expect(summary?.message).toContain('(repeated 2999 times in the last 60 s)');
    expect(Date.parse(String(summary?.details.lastTime))).toBeGreaterThanOrEqual(
      Date.parse(String(summary?.details.firstTime)),
    );
    expect(appended).toHaveLength(2); // the live event stream is not flooded either
  });

  it('keeps memory and disk bounded when the attacker varies the source of every request', async () => {
    log = make({ coalesceMaxKeys: 20 });
    await log.start();
    for (let i = 0; i < 5_000; i++) log.record(refusal(i, `10.0.${i >> 8}.${i & 255}`));
    await log.stop();
    expect(await dirBytes(dir.path)).toBeLessThan(100 * 1024);
    const entries = (await readBack()).filter((e) => e.category === 'proxy');
    // 20 tracked sources, then one overflow key for the category: its first event and a summary.
    expect(entries).toHaveLength(22);
    const overflow = entries.find((e) => e.details.overflow === true);
    expect(overflow?.details.count).toBe(5_000 - 21);
    expect(overflow?.message).toContain('from too many sources to list: 4979 times');
    const counted = entries.reduce((n, e) => n + (Number(e.details.count) || 1), 0);
    expect(counted).toBe(5_000);
  });

  it('writes the summary when the window ends, starts a new window, and forgets a quiet key', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    log = make(); // the default 60 s window
    await log.start();
    const key = { severity: 'warning' as const, category: 'api', coalesceKey: 'k' };
    expect(log.record({ ...key, message: 'refused 1' })).not.toBeNull();
    for (let i = 2; i <= 5; i++) expect(log.record({ ...key, message: `refused ${i}` })).toBeNull();
    const messages = async () => (await log.query(q())).entries.map((e) => e.message);
    expect(await messages()).toEqual(['refused 1']);

    vi.advanceTimersByTime(60_000);
    expect(await messages()).toEqual([
      'refused 2 (repeated 4 times in the last 60 s)',
      'refused 1',
    ]);
    // Still within the flood: the next repeat is counted into the following window's summary.
    expect(log.record({ ...key, message: 'refused 6' })).toBeNull();
    vi.advanceTimersByTime(60_000);
    expect((await messages())[0]).toBe('refused 6 (repeated once in the last 60 s)');
    // A whole quiet window: the key is forgotten, the next event is written at once.
    vi.advanceTimersByTime(60_000);
    expect(log.record({ ...key, message: 'refused 7' })).not.toBeNull();
    expect((await messages())[0]).toBe('refused 7');
    expect(log.record({ ...key, message: 'refused 8' })).toBeNull();
    expect(vi.getTimerCount()).toBe(1);
    await log.stop(); // writes the pending summary and releases the timer
    expect(vi.getTimerCount()).toBe(0);
    expect((await readBack())[0]?.message).toBe('refused 8 (repeated once in the last 60 s)');
  });

  it('caps every entry at 8 KB, cutting after redaction so no secret survives the cut', async () => {
    log = make();
    await log.start();
    const secret = `sk-ant-api03-${'s'.repeat(40)}`;
    const huge = 'x'.repeat(1024 * 1024);
    log.record({
      severity: 'violation',
      category: 'proxy',
      // The key straddles the cut (~970 characters of the message, ~470 of a detail): cut first,
      // its head "sk-ant-api0…" would be too short for redaction to recognise.
      message: `${'m'.repeat(958)} ${secret} ${huge}`,
      details: { path: `${'p'.repeat(460)}${secret}${huge}`, nested: { deep: [huge, huge] } },
    });
    const manyKeys = Object.fromEntries(
      Array.from({ length: 5_000 }, (_, i) => [`k${i}`, `v${i}`]),
    );
    log.record({ severity: 'info', category: 'x', message: 'many keys', details: manyKeys });
    log.record({
      severity: 'info',
      category: 'x',
      group: '\u0001'.repeat(10_000),
      container: '😀'.repeat(10_000),
      message: '\u0000'.repeat(10_000),
      details: { count: 3, blob: '"'.repeat(100_000) },
    });
    await log.stop();
    const text = await readFile(join(dir.path, 'audit.jsonl'), 'utf8');
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const line of lines)
      expect(Buffer.byteLength(line) + 1).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    expect(text).not.toContain('sk-ant');
    const [big, keys, odd] = lines.map((l) => JSON.parse(l) as AuditEntry);
    expect(big?.message.length).toBeLessThanOrEqual(1_000);
    expect(big?.message).toMatch(/^m{958} \[REDACTED\] x+ … \[truncated, \d+ chars\]$/);
    expect(big?.details.path).toBe(`${'p'.repeat(460)}[REDACTED]`); // the x's ran into the key
    expect(keys?.details).toMatchObject({ truncated: true });
    expect(odd?.details).toMatchObject({ count: 3, truncated: true });
  });
});

/** One tokenless request to the credential proxy; resolves with the status (0 on a socket error). */
function tokenless(port: number, path: string, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end('{}');
  });
}

describe('the running app under a flood of tokenless credential-proxy requests', () => {
  it('grows the audit log by under 100 KB for 3,000 refusals and counts every one', async () => {
    const app = await startTestApp();
    const auditDir = join(app.dataDir, 'audit');
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    try {
      const { port, running } = app.core.services.proxy.status();
      expect(running).toBe(true);
      await app.core.services.audit.flush();
      const before = await dirBytes(auditDir);
      const total = 3_000;
      const statuses: number[] = [];
      const path = `/v1/messages/${'A'.repeat(8_000)}`; // as long as Node lets a request line be
      for (let sent = 0; sent < total; sent += 100)
        statuses.push(
          ...(await Promise.all(
            Array.from({ length: 100 }, () => tokenless(Number(port), path, agent)),
          )),
        );
      expect(statuses.every((s) => s >= 400)).toBe(true);
      await app.core.stop(); // writes the pending summaries
      expect((await dirBytes(auditDir)) - before).toBeLessThan(100 * 1024);
      const reader = new AuditLog({ dir: auditDir, bus: new EventBus(), logger: silentLogger() });
      const { entries } = await reader.query(q({ category: 'proxy', limit: 10_000 }));
      const refusals = entries.filter(
        (e) => typeof e.details.refusal === 'string' || e.details.count,
      );
      expect(refusals.length).toBeLessThanOrEqual(6); // a first entry and a summary per cause
      const counted = refusals.reduce((n, e) => n + (Number(e.details.count) || 1), 0);
      expect(counted).toBe(total);
    } finally {
      agent.destroy();
      await app.stop().catch(() => undefined);
    }
  });
});
