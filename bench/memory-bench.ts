import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditLog } from '../src/main/services/audit/audit-log';
import { EventBus } from '../src/main/services/events/event-bus';
import { startServe, type ServeProcess } from '../test/helpers/serve-process';
import { silentLogger, tempDir } from '../test/helpers/temp';
import { ready, type Child } from './proxy/processes';
import { sleep } from './sessions/stats';

/**
 * Resident memory of `aigo serve` (its own process): idle after start, at the peak of a load
 * of audit queries and mount validations, and idle again afterwards — against a bare Node
 * HTTP server measured the same way. The audit log holds 50,000 entries, so a query that
 * buffers files shows.
 */
const ENTRIES = 50_000;
const ROUNDS = 300;
const SETTLE_MS = 3000;
const AFTER_MS = 10_000;

function rssMb(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((status) => {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  });
}

/**
 * RSS split into anonymous memory (the heap, malloc: what the process holds) and file pages
 * (mostly the node binary's own machine code, shared and clean: the kernel drops them at will).
 */
async function split(pid: number): Promise<string> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? NaN);
  const anon = kb('Anonymous') / 1024;
  return `${anon.toFixed(1)} / ${(kb('Rss') / 1024 - anon).toFixed(1)}`;
}

async function fillAudit(dataDir: string): Promise<void> {
  const log = new AuditLog({
    dir: join(dataDir, 'audit'),
    bus: new EventBus(),
    logger: silentLogger(),
  });
  await log.start();
  for (let i = 0; i < ENTRIES; i++) {
    log.record({
      severity: i % 100 === 0 ? 'violation' : 'info',
      category: i % 100 === 0 ? 'proxy' : 'session',
      group: `group-${i % 7}`,
      message: `Session ${i} ran a step of its agent and wrote a few files in its workspace`,
      details: { session: `s-${i}`, step: i % 50 },
    });
    if (i % 5000 === 4999) await log.flush();
  }
  await log.stop();
}

async function load(serve: ServeProcess, token: string, peak: () => Promise<void>) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  for (let round = 0; round < ROUNDS; round++) {
    const severity = round % 2 ? '&severity=violation' : '';
    await Promise.all([
      fetch(`${serve.url}/api/v1/container/audit?limit=500${severity}`, { headers }).then((r) =>
        r.arrayBuffer(),
      ),
      fetch(`${serve.url}/api/v1/container/mounts/validate`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ hostPath: join(import.meta.dirname, '..', 'src') }),
      }).then((r) => r.arrayBuffer()),
      fetch(`${serve.url}/api/v1/container/runtime`, { headers }).then((r) => r.arrayBuffer()),
    ]);
    if (round % 20 === 0) await peak();
  }
}

export async function memoryBench(): Promise<void> {
  if (process.platform !== 'linux') {
    console.log('\n[skip] memory: reads RSS from /proc (Linux only)');
    return;
  }
  const bare: Child = await ready(
    spawn(
      process.execPath,
      [
        '-e',
        `require('node:http').createServer((q, s) => s.end('{}')).listen(0, '127.0.0.1', function () { console.log('listening ' + this.address().port); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    ),
  );
  await sleep(SETTLE_MS);
  const bareIdle = await rssMb(bare.child.pid!);
  await bare.stop();

  const data = await tempDir('aigo-memory-bench-');
  await fillAudit(data.path);
  const serve = await startServe(data.path);
  try {
    const token = (await readFile(join(data.path, 'api-token'), 'utf8')).trim();
    const pid = serve.child.pid!;
    await sleep(SETTLE_MS);
    const idle = await rssMb(pid);
    const idleSplit = await split(pid);
    let peak = idle;
    await load(serve, token, async () => {
      peak = Math.max(peak, await rssMb(pid));
    });
    peak = Math.max(peak, await rssMb(pid));
    await sleep(AFTER_MS);
    const after = await rssMb(pid);
    const afterSplit = await split(pid);
    const mb = (n: number) => n.toFixed(1);
    console.log(
      `\nResident memory of aigo serve vs a bare Node HTTP server (${ROUNDS} rounds of an audit query over ${ENTRIES.toLocaleString()} entries, a mount validation and a runtime read)`,
    );
    console.table({
      'idle after start': {
        'aigo MB': mb(idle),
        'anonymous / file MB': idleSplit,
        'bare Node MB': mb(bareIdle),
        target: '≤ 80 MB',
      },
      'peak under load': { 'aigo MB': mb(peak), 'bare Node MB': '—', target: '—' },
      [`idle ${AFTER_MS / 1000} s after the load`]: {
        'aigo MB': mb(after),
        'anonymous / file MB': afterSplit,
        'bare Node MB': '—',
        target: `back to idle (≤ ${mb(Math.max(80, idle * 1.2))} MB)`,
      },
    });
  } finally {
    await serve.stop();
    await data.cleanup();
  }
}
