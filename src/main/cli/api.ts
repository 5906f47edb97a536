import { AppError } from '../../shared/errors';
import { isOperationName, operationNames, operations } from '../../shared/contract';
import { connect, type ConnectOptions } from './connect';
import { printResult, type OutputFormat } from './output';

/** `aigo api --list`: every operation of the contract, with its HTTP route. */
export function listOperations(): string {
  const width = Math.max(...operationNames.map((n) => n.length));
  return operationNames
    .map(
      (n) =>
        `${n.padEnd(width)}  ${operations[n].method.padEnd(6)} ${operations[n].path}  ${operations[n].summary}`,
    )
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
  const { call } = await connect(options);
  const result = await call(name, parsed as never);
  printResult(options.output === 'console' ? 'json' : options.output, result, (r) =>
    JSON.stringify(r, null, 2),
  );
}
