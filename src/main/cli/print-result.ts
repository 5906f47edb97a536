import { stringify } from 'yaml';
import type { OutputFormat } from './output';

// Apart from output.ts, so that only the commands that print data load yaml, not `aigo serve`.
/** Machine formats print the data as is; console uses the command's own readable renderer. */
export function printResult<T>(
  format: OutputFormat,
  data: T,
  renderConsole: (data: T) => string,
): void {
  if (format === 'json') process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else if (format === 'yaml') process.stdout.write(stringify(data));
  else process.stdout.write(`${renderConsole(data)}\n`);
}
