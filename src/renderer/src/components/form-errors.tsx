import { useEffect, type RefObject } from 'react';
import { issuesOf, type ErrorInfo } from '../call';

/** Whether an issue's path (`runtime.dockerHost`, `auth.header`) concerns the field `name`. */
function concerns(path: string, name: string): boolean {
  return path === name || path.startsWith(`${name}.`) || name.startsWith(`${path}.`);
}

/** The core's words about one field, without the field's path in front (the label says it). */
export function fieldIssue(error: ErrorInfo | null, name: string): string | null {
  const mine = issuesOf(error).filter((i) => concerns(i.path, name));
  if (mine.length === 0) return null;
  return mine
    .map((i) =>
      i.message.startsWith(`${i.path}: `) ? i.message.slice(i.path.length + 2) : i.message,
    )
    .join('; ');
}

/** Under a field: what the core said is wrong with it. */
export function FieldError({ error, name }: { error: ErrorInfo | null; name: string }) {
  const text = fieldIssue(error, name);
  if (!text) return null;
  return (
    <small className="field-error" role="alert" data-testid={`field-error-${name}`}>
      {text}
    </small>
  );
}

/**
 * Next to a form's buttons: the core's refusal, unless every issue it named is already shown
 * under its field (`fields` are the names of the form's fields).
 */
export function FormError({
  error,
  fields,
  testId,
}: {
  error: ErrorInfo | null;
  fields: string[];
  testId?: string;
}) {
  if (!error) return null;
  const issues = issuesOf(error);
  const covered =
    issues.length > 0 && issues.every((i) => fields.some((name) => concerns(i.path, name)));
  if (covered) return null;
  return (
    <div className="problem error-box" role="alert" data-testid={testId}>
      {error.message}
    </div>
  );
}

/**
 * When the core refuses a form: brings the error into view and moves focus to the first field
 * it names (fields are found by their `name`), so a refusal never happens off-screen.
 */
export function useRevealError(form: RefObject<HTMLElement | null>, error: ErrorInfo | null): void {
  useEffect(() => {
    const root = form.current;
    if (!error || !root) return;
    const paths = issuesOf(error).map((i) => i.path);
    const fields = [...root.querySelectorAll<HTMLElement>('[name]')];
    const target = fields.find((f) => {
      const name = f.getAttribute('name') ?? '';
      return !(f as HTMLInputElement).disabled && paths.some((p) => concerns(p, name));
    });
    const shown = root.querySelector<HTMLElement>('[role="alert"]');
    shown?.scrollIntoView?.({ block: 'nearest' });
    if (target) {
      target.focus({ preventScroll: true });
      target.scrollIntoView?.({ block: 'nearest' });
    }
  }, [form, error]);
}
