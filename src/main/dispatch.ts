import type { Logger } from 'pino';
import { AppError, invalidInput, type ErrorEnvelope } from '../shared/errors';
import type { OperationName, OperationOutput, OperationParsedInput } from '../shared/contract';
import type { OperationTable } from './operation-table';
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
export function createDispatcher(
  handlers: Handlers,
  logger: Logger,
  operations: OperationTable,
): Dispatch {
  return dispatcherOf(handlers, logger, operations);
}

function dispatcherOf(
  handlers: Partial<Handlers>,
  logger: Logger,
  operations: OperationTable,
): Dispatch {
  return async (name, rawInput) => {
    const op = operations.get(name);
    if (!op) throw new AppError('NOT_FOUND', `Unknown operation "${String(name)}".`);
    const parsed = op.input.safeParse(rawInput ?? {});
    if (!parsed.success) throw invalidInput(parsed.error);
    const handler = handlers[name as OperationName] as
      ((input: unknown) => Promise<unknown> | unknown) | undefined;
    if (!handler) throw new AppError('NOT_FOUND', `Operation "${name}" is not available here.`);
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

/** How long a call may wait for the start-up before it is told to try again. */
export const STARTUP_WAIT_MS = 60_000;

/** What a call that waited `maxWaitMs` for the start-up is told. */
export function stillStarting(maxWaitMs: number): AppError {
  return new AppError(
    'UNAVAILABLE',
    `aigo is still starting after ${Math.round(maxWaitMs / 1000)} s. Try again; if it stays so, see the app log (aigo logs --last 100).`,
  );
}

export interface StartupDispatch {
  /** What the API calls from the moment it listens. */
  dispatch: Dispatch;
  /** Start-up finished: every operation now runs on `full`, and those waiting go on. */
  open(full: Dispatch): void;
  /** Start-up failed: those waiting, and any later call, get why (the error returned). */
  fail(error: unknown): AppError;
}

/**
 * The dispatcher of an app still starting. The API listens before the container engine is
 * detected (seconds, for a slow or remote engine): the operations in `early` answer at once
 * from services that are up (the runtime's status says "Detecting…" until it knows), and every
 * other one waits for the start-up to finish, then runs as usual — no handler ever sees a
 * service half started.
 */
export function startupDispatcher(
  early: Partial<Handlers>,
  logger: Logger,
  operations: OperationTable,
  maxWaitMs = STARTUP_WAIT_MS,
): StartupDispatch {
  const answerEarly = dispatcherOf(early, logger, operations);
  let full: Dispatch | null = null;
  let failure: AppError | null = null;
  const waiting = new Set<{ resolve: (d: Dispatch) => void; reject: (e: AppError) => void }>();
  const started = () =>
    new Promise<Dispatch>((resolve, reject) => {
      if (full) return resolve(full);
      if (failure) return reject(failure);
      // A start-up that hangs (a step that never ends) must not hold a call for ever.
      const timer = setTimeout(() => {
        waiting.delete(entry);
        reject(stillStarting(maxWaitMs));
      }, maxWaitMs);
      timer.unref();
      const entry = {
        resolve: (d: Dispatch) => (clearTimeout(timer), resolve(d)),
        reject: (e: AppError) => (clearTimeout(timer), reject(e)),
      };
      waiting.add(entry);
    });
  return {
    dispatch: (name, rawInput) => {
      if (full) return full(name, rawInput);
      // Early operations, and names that are no operation at all, need not wait. (A name not
      // known yet may be a domain's, whose operations load with it.)
      const unknown = !operations.get(name) && operations.complete;
      if (Object.hasOwn(early, name) || unknown) return answerEarly(name, rawInput);
      return started().then((dispatch) => dispatch(name, rawInput));
    },
    open(dispatch) {
      full = dispatch;
      for (const w of waiting) w.resolve(dispatch);
      waiting.clear();
    },
    fail(error) {
      const reason = redactString(error instanceof Error ? error.message : String(error));
      failure = new AppError(
        'INTERNAL',
        `aigo could not start: ${reason}. See the app log (aigo logs --last 100).`,
      );
      for (const w of waiting) w.reject(failure);
      waiting.clear();
      return failure;
    },
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
