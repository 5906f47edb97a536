import { stringify } from 'yaml';

export type OutputFormat = 'console' | 'json' | 'yaml';

export function parseOutputFormat(value: string): OutputFormat {
  if (value === 'console' || value === 'json' || value === 'yaml') return value;
  throw new Error(`Unknown output format "${value}": use console, json or yaml.`);
}

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
