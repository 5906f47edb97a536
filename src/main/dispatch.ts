import type { Logger } from 'pino';
import { AppError, invalidInput, type ErrorEnvelope } from '../shared/errors';
import {
  isOperationName,
  operations,
  type OperationName,
  type OperationOutput,
  type OperationParsedInput,
} from '../shared/contract';
import { redactString } from './services/logging/redact';

export type Handlers = {
  [N in OperationName]: (
    input: OperationParsedInput<N>,
  ) => Promise<OperationOutput<N>> | OperationOutput<N>;
};

export type Dispatch = (name: string, rawInput: unknown) => Promise<unknown>;

/**
 * The single entry for every operation, whatever the transport: validates the input against
 * the contract, runs the handler, and checks the output so no client ever sees a shape the
 * contract does not promise. HTTP and IPC both call this; neither validates on its own.
 */
export function createDispatcher(handlers: Handlers, logger: Logger): Dispatch {
  return async (name, rawInput) => {
    if (!isOperationName(name))
      throw new AppError('NOT_FOUND', `Unknown operation "${String(name)}".`);
    const op = operations[name];
    const parsed = op.input.safeParse(rawInput ?? {});
    if (!parsed.success) throw invalidInput(parsed.error);
    const handler = handlers[name] as (input: unknown) => Promise<unknown> | unknown;
    const result = await handler(parsed.data);
    const checked = op.output.safeParse(result);
    if (!checked.success) {
      logger.error(
        { operation: name, issues: checked.error.issues },
        'Handler output does not match the contract',
      );
      throw new AppError(
        'INTERNAL',
        `The app produced an invalid response for ${name}; see the app log (aigo logs --last 100).`,
      );
    }
    return checked.data;
  };
}

/** Any thrown value as the envelope a client gets; unexpected errors are logged, not leaked. */
export function toErrorEnvelope(error: unknown, logger?: Logger): ErrorEnvelope {
  if (error instanceof AppError) return error.toEnvelope();
  logger?.error({ err: error }, 'Unexpected error');
  const message = error instanceof Error ? redactString(error.message) : 'Unknown error';
  return {
    code: 'INTERNAL',
    message: `Internal error: ${message}. See the app log (aigo logs --last 100).`,
  };
}
