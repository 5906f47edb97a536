import {
  closeSync,
  existsSync,
  openSync,
  readSync,
  statSync,
  unwatchFile,
  watchFile,
} from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import type { LogEntry } from '../../shared/schemas/logs';
import { dataPaths, resolveDataDir } from '../services/app/paths';
import { formatLogEntry, parseLogLine, readLastLogEntries } from '../services/logging/log-reader';
import { LOG_FILE_NAME } from '../services/logging/logger';

export interface LogsOptions {
  last: number;
  follow: boolean;
  json: boolean;
  dataDir?: string;
}

/**
 * `aigo logs`: reads the log files in the data folder directly, so it works when the app is
 * down — which is when logs matter most. `--follow` keeps printing new lines, across rotation.
 */
export async function logs(options: LogsOptions): Promise<void> {
  const dataDir = options.dataDir
    ? resolveDataDir({ AIGO_DATA_DIR: options.dataDir })
    : resolveDataDir();
  const { logDir } = dataPaths(dataDir);
  if (!existsSync(logDir)) {
    throw new AppError(
      'NOT_FOUND',
      `No logs in ${logDir}. Has aigo run with this data folder? Use --data-dir or AIGO_DATA_DIR to pick another.`,
    );
  }
  const print = (entry: LogEntry, raw: string) =>
    process.stdout.write(`${options.json ? raw : formatLogEntry(entry)}\n`);
  for (const entry of await readLastLogEntries(logDir, options.last)) {
    process.stdout.write(
      `${options.json ? JSON.stringify(rawOf(entry)) : formatLogEntry(entry)}\n`,
    );
  }
  if (options.follow) await follow(join(logDir, LOG_FILE_NAME), print);
}

function rawOf(entry: LogEntry): Record<string, unknown> {
  return {
    time: entry.time,
    level: entry.level,
    ...(entry.scope ? { scope: entry.scope } : {}),
    msg: entry.msg,
    ...entry.data,
  };
}

/** Bytes `start`..`end` of a file (sync: a CLI tail reads little and in order). */
function readRange(path: string, start: number, end: number): string {
  if (end <= start) return '';
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    const n = readSync(fd, buffer, 0, buffer.length, start);
    return buffer.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Prints lines appended to the live log. Rotation renames the live file to aigo.log.1 and
 * starts a new one: the rest of the old file is printed first, so no line is skipped.
 */
function follow(file: string, print: (entry: LogEntry, raw: string) => void): Promise<void> {
  const statOf = (path: string) => {
    try {
      return statSync(path);
    } catch {
      return null;
    }
  };
  let ino = statOf(file)?.ino ?? 0;
  let offset = statOf(file)?.size ?? 0;
  let partial = '';
  const emit = (text: string) => {
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const entry = parseLogLine(line);
      if (entry) print(entry, line);
    }
  };
  const readNew = () => {
    const current = statOf(file);
    if (!current) return;
    if (current.ino !== ino) {
      const rotated = `${file}.1`;
      const old = statOf(rotated);
      if (old && old.ino === ino) emit(readRange(rotated, offset, old.size));
      if (partial) emit('\n'); // the old file's last line, even without its newline
      ino = current.ino;
      offset = 0;
    } else if (current.size < offset) {
      offset = 0; // truncated in place
      partial = '';
    }
    const end = current.size;
    emit(readRange(file, offset, end));
    offset = end;
  };
  watchFile(file, { interval: 250 }, readNew);
  return new Promise((resolve) => {
    const stop = () => {
      unwatchFile(file);
      readNew();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
