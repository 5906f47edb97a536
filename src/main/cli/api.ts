import { AppError, describeZodIssues } from '../../shared/errors';
import { isOperationName, operationNames, operations } from '../../shared/contract';
import { connect, type ConnectOptions } from './connect';
import type { OutputFormat } from './output';
import { printResult } from './print-result';

/** `aigo api --list`: every operation of the contract, with its HTTP route, in columns. */
export function listOperations(): string {
  const rows = operationNames.map((n) => [
    n,
    operations[n].method,
    operations[n].path,
    operations[n].summary,
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  '))
    .join('\n');
}

/**
 * `aigo api <operation> [input]`: calls any operation of the running app, so everything the
 * UI can do works from a terminal too. The input is JSON; the token is sent for you.
 */
export async function callOperation(
  name: string,
  input: string | undefined,
  options: ConnectOptions & { output: OutputFormat },
): Promise<void> {
  if (!isOperationName(name)) {
    throw new AppError('INVALID_INPUT', `Unknown operation "${name}". See \`aigo api --list\`.`);
  }
  let parsed: unknown = {};
  if (input !== undefined) {
    try {
      parsed = JSON.parse(input);
    } catch (error) {
      throw new AppError(
        'INVALID_JSON',
        `The input is not valid JSON (${(error as Error).message}). Example: aigo api mounts.validate '{"hostPath": "/home/me/project"}'`,
      );
    }
  }
  // Checked here against the contract, as the app would: a missing path parameter (`{id}`)
  // otherwise becomes a URL no route matches, and the error would not name the field.
  const checked = operations[name].input.safeParse(parsed);
  if (!checked.success) {
    const issues = describeZodIssues(checked.error);
    throw new AppError(
      'INVALID_INPUT',
      `Invalid input for ${name}: ${issues.map((i) => i.message).join('; ')}.`,
      { issues },
    );
  }
  const { call } = await connect(options);
  const result = await call(name, parsed as never);
  printResult(options.output === 'console' ? 'json' : options.output, result, (r) =>
    JSON.stringify(r, null, 2),
  );
}
