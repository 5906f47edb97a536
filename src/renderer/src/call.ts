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
export async function attempt<T>(work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    showError(error);
    return null;
  }
}
