import { createReadStream, existsSync, statSync, unwatchFile, watchFile } from 'node:fs';
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

function follow(file: string, print: (entry: LogEntry, raw: string) => void): Promise<void> {
  let offset = existsSync(file) ? statSync(file).size : 0;
  let partial = '';
  let reading = false;
  const readNew = () => {
    if (reading) return;
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return;
    }
    if (size < offset) offset = 0; // rotated: the live file started over
    if (size === offset) return;
    reading = true;
    const stream = createReadStream(file, { start: offset, end: size - 1, encoding: 'utf8' });
    stream.on('data', (chunk) => {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const entry = parseLogLine(line);
        if (entry) print(entry, line);
      }
    });
    stream.on('close', () => {
      offset = size;
      reading = false;
    });
  };
  watchFile(file, { interval: 250 }, readNew);
  return new Promise((resolve) => {
    const stop = () => {
      unwatchFile(file);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
