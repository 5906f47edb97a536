import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogEntry } from '../../../shared/schemas/logs';
import { LOG_FILE_NAME } from './logger';

const KNOWN_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const PINO_LEVELS: Record<number, LogEntry['level']> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** The log files newest first: aigo.log, aigo.log.1, aigo.log.2, … */
export async function listLogFiles(logDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(logDir);
  } catch {
    return [];
  }
  const index = (name: string): number =>
    name === LOG_FILE_NAME ? 0 : Number(name.slice(LOG_FILE_NAME.length + 1));
  return names
    .filter(
      (name) =>
        name === LOG_FILE_NAME ||
        new RegExp(`^${LOG_FILE_NAME.replace('.', '\\.')}\\.\\d+$`).test(name),
    )
    .sort((a, b) => index(a) - index(b))
    .map((name) => join(logDir, name));
}

export function parseLogLine(line: string): LogEntry | null {
  if (!line.trim()) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { time: '', level: 'info', msg: line, data: {} };
  }
  if (!raw || typeof raw !== 'object') return null;
  const { time, level, scope, msg, ...data } = raw as Record<string, unknown>;
  const levelName =
    typeof level === 'number'
      ? PINO_LEVELS[level]
      : typeof level === 'string' && KNOWN_LEVELS.has(level)
        ? level
        : 'info';
  return {
    time:
      typeof time === 'string'
        ? time
        : typeof time === 'number'
          ? new Date(time).toISOString()
          : '',
    level: (levelName ?? 'info') as LogEntry['level'],
    ...(typeof scope === 'string' ? { scope } : {}),
    msg: typeof msg === 'string' ? msg : '',
    data,
  };
}

/** The last `count` entries across rotated files, oldest first. */
export async function readLastLogEntries(logDir: string, count: number): Promise<LogEntry[]> {
  const collected: LogEntry[][] = [];
  let total = 0;
  for (const file of await listLogFiles(logDir)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const entries = text
      .split('\n')
      .map(parseLogLine)
      .filter((e): e is LogEntry => e !== null);
    collected.unshift(entries.slice(Math.max(0, entries.length - (count - total))));
    total += Math.min(entries.length, count - total);
    if (total >= count) break;
  }
  return collected.flat();
}

/** One readable line: `2026-11-28 20:14:03.123 INFO  [runtime] message {extra}` */
export function formatLogEntry(entry: LogEntry): string {
  const time = entry.time.replace('T', ' ').replace('Z', '');
  const scope = entry.scope ? `[${entry.scope}] ` : '';
  const extra = Object.keys(entry.data).length ? ` ${JSON.stringify(entry.data)}` : '';
  return `${time} ${entry.level.toUpperCase().padEnd(5)} ${scope}${entry.msg}${extra}`;
}
