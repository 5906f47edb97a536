import { AppError } from '../../shared/errors';
import type { Transport } from './bridge';
import { useApp } from './store';

/** The app's transport; pages call it only once connected. */
export function transport(): Transport {
  const t = useApp.getState().transport;
  if (!t) throw new AppError('UNREACHABLE', 'Not connected to aigo yet.');
  return t;
}

export function showError(error: unknown): void {
  useApp.setState({
    notice: { kind: 'error', text: error instanceof Error ? error.message : String(error) },
  });
}

/** Runs a call; a failure becomes the app's notice (null here), never an unhandled rejection. */
export async function attempt<T>(
  work: () => Promise<T>,
  options: { change?: boolean } = {},
): Promise<T | null> {
  try {
    const result = await work();
    // A change that went through means an error shown for an earlier try no longer applies.
    if (options.change) clearError();
    return result;
  } catch (error) {
    showError(error);
    return null;
  }
}

/** Removes an error notice (not a success one) once what caused it has been put right. */
export function clearError(): void {
  if (useApp.getState().notice?.kind === 'error') useApp.setState({ notice: null });
}
