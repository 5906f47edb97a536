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

/** A short "Saved." (or other) confirmation that also replaces an error the user has put right. */
export function showSaved(text = 'Saved.'): void {
  const notice = { kind: 'success' as const, text };
  useApp.setState({ notice });
  setTimeout(() => {
    if (useApp.getState().notice === notice) useApp.setState({ notice: null });
  }, 2500);
}

/** Removes an error notice (not a success one) once what caused it has been put right. */
export function clearError(): void {
  if (useApp.getState().notice?.kind === 'error') useApp.setState({ notice: null });
}

/** An error as the server sent it (`{code, message, details}`), for showing next to a form. */
export interface ErrorInfo {
  code: string;
  message: string;
  details?: unknown;
}

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof AppError)
    return { code: error.code, message: error.message, details: error.details };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Runs a call and hands back its failure instead of showing it app-wide, for inline errors. */
export async function tryCall<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: errorInfo(error) };
  }
}

/** `{path, message}` issues of an INVALID_INPUT error (zod's, as the core describes them). */
export function issuesOf(error: ErrorInfo | null): { path: string; message: string }[] {
  const issues = (error?.details as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues)
    ? issues.filter(
        (i): i is { path: string; message: string } =>
          typeof (i as { path?: unknown }).path === 'string' &&
          typeof (i as { message?: unknown }).message === 'string',
      )
    : [];
}
