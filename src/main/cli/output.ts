export type OutputFormat = 'console' | 'json' | 'yaml';

export function parseOutputFormat(value: string): OutputFormat {
  if (value === 'console' || value === 'json' || value === 'yaml') return value;
  throw new Error(`Unknown output format "${value}": use console, json or yaml.`);
}

let keepRunning = false;

/** For `aigo serve`: a closed stdout must not stop the app; only its printing ends. */
export function keepRunningWhenReaderCloses(): void {
  keepRunning = true;
}

/**
 * `aigo logs | head`: when the reader of stdout (or stderr) goes away, stop quietly with exit
 * code 0 instead of an unhandled EPIPE stack trace, as `cat` and `grep` do.
 */
export function endQuietlyWhenReaderCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
      if (!keepRunning) process.exit(0);
    });
  }
}
