import { mkdirSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import { redact, redactString } from './redact';

export const LOG_FILE_NAME = 'aigo.log';

/**
 * Keys pino writes itself on every line. A logged field of the same name (app.ts logs
 * `{ level }` when the log level changes) would repeat the key in the JSON line, and a reader
 * keeps only one of them; such fields are written under another name instead.
 */
const RESERVED_KEYS: Record<string, string> = { level: 'logLevel', time: 'logTime' };

function renameReserved<T extends Record<string, unknown> | undefined>(object: T): T {
  if (!object || !Object.keys(RESERVED_KEYS).some((key) => Object.hasOwn(object, key)))
    return object;
  const renamed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) renamed[RESERVED_KEYS[key] ?? key] = value;
  return renamed as T;
}

export interface AppLogger {
  logger: Logger;
  setDebug(enabled: boolean): void;
  /** Flushes and closes the file; the logger must not be used afterwards. */
  close(): Promise<void>;
}

export interface LoggerOptions {
  logDir: string;
  debug?: boolean;
  /** Rotate when the file reaches this size (rotating-file-stream syntax). */
  maxSize?: string;
  maxFiles?: number;
  /** Also print to stderr (for `aigo serve --verbose`). */
  echo?: boolean;
}

/**
 * The app log: JSON lines in `logDir/aigo.log`, rotated by size (aigo.log.1 is the newest old
 * one), with every field and message passed through the secret redactor.
 */
export function createAppLogger(options: LoggerOptions): AppLogger {
  mkdirSync(options.logDir, { recursive: true, mode: 0o700 });
  const file: RotatingFileStream = createStream(LOG_FILE_NAME, {
    path: options.logDir,
    size: options.maxSize ?? '10M',
    rotate: options.maxFiles ?? 5,
    mode: 0o600,
  });
  // A log file that cannot be written must not crash the app; say so once on stderr.
  let reportedError = false;
  file.on('error', (error) => {
    if (!reportedError) process.stderr.write(`aigo: cannot write the log file: ${String(error)}\n`);
    reportedError = true;
  });
  const streams: pino.StreamEntry[] = [{ stream: file, level: 'trace' }];
  if (options.echo) streams.push({ stream: process.stderr, level: 'trace' });

  const logger = pino(
    {
      level: options.debug ? 'debug' : 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => renameReserved(bindings),
        log: (object) => renameReserved(redact(object) as Record<string, unknown>),
      },
      hooks: {
        logMethod(args, method) {
          const safe = args.map((arg) => (typeof arg === 'string' ? redactString(arg) : arg));
          method.apply(this, safe as Parameters<typeof method>);
        },
      },
    },
    pino.multistream(streams),
  );

  return {
    logger,
    setDebug(enabled) {
      logger.level = enabled ? 'debug' : 'info';
    },
    close: () =>
      new Promise<void>((resolve) => {
        file.end(() => resolve());
      }),
  };
}
