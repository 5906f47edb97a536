import { useEffect, useRef, useState, type ReactNode } from 'react';

export function Card({
  title,
  actions,
  children,
  testId,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section className="card" data-testid={testId}>
      <header className="card-header">
        <h2>{title}</h2>
        {actions ? <div className="card-actions">{actions}</div> : null}
      </header>
      <div className="card-body">{children}</div>
    </section>
  );
}

export function Field({
  label,
  children,
  testId,
}: {
  label: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className="field" data-testid={testId}>
      <div className="field-label">{label}</div>
      <div className="field-value">{children}</div>
    </div>
  );
}

export function Toggle(props: {
  checked: boolean;
  disabled?: boolean;
  label: string;
  onChange(next: boolean): void;
  testId?: string;
}) {
  return (
    <label className={`toggle${props.disabled ? ' disabled' : ''}`}>
      <input
        type="checkbox"
        role="switch"
        aria-label={props.label}
        data-testid={props.testId}
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <span className="toggle-track" aria-hidden="true">
        <span className="toggle-thumb" />
      </span>
      <span>{props.label}</span>
    </label>
  );
}

export function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button small ghost"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

export function Badge({
  tone,
  children,
  testId,
}: {
  tone: 'ok' | 'bad' | 'warn' | 'muted' | 'info';
  children: ReactNode;
  testId?: string;
}) {
  return (
    <span className={`badge ${tone}`} data-testid={testId}>
      {children}
    </span>
  );
}

export function Spinner() {
  return <span className="spinner" aria-label="working" />;
}

/**
 * A refusal from the core, next to the form it concerns: the message, every invalid field, and
 * the fix when mount security refused a folder.
 */
export function ErrorBox({
  error,
  testId,
}: {
  error: { code: string; message: string; details?: unknown } | null;
  testId?: string;
}) {
  if (!error) return null;
  const details = (error.details ?? {}) as {
    issues?: { path: string; message: string }[];
    verdict?: { fix?: string[] };
  };
  const issues = Array.isArray(details.issues) ? details.issues : [];
  const fix = Array.isArray(details.verdict?.fix) ? details.verdict.fix : [];
  return (
    <div className="problem error-box" role="alert" data-testid={testId}>
      <div>{error.message}</div>
      {issues.length > 1 ? (
        <ul>
          {issues.map((i) => (
            <li key={`${i.path}:${i.message}`}>
              <code>{i.path}</code> {i.message}
            </li>
          ))}
        </ul>
      ) : null}
      {fix.length > 0 ? (
        <ol className="fix">
          {fix.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}

/** Brings what it wraps into view when it opens (a form or a log below a long list). */
export function Reveal({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
  }, []);
  return <div ref={ref}>{children}</div>;
}

/** The Delete / Cancel pair under a "really delete?" question in a list row. */
export function ConfirmDeleteActions({
  testId,
  deleting,
  onConfirm,
  onCancel,
}: {
  testId: string;
  deleting: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div className="form-actions">
      <button
        type="button"
        className="button danger"
        data-testid={testId}
        disabled={deleting}
        onClick={onConfirm}
      >
        {deleting ? <Spinner /> : null} Delete
      </button>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/**
 * The Save / Undo changes pair of a settings form: Save submits the form, Undo puts the saved
 * values back. Both wait for a change; Save also for the right to change (a read-only page).
 */
export function SaveOrUndo({
  dirty,
  canSave,
  onUndo,
  saveTestId,
  primary = false,
}: {
  dirty: boolean;
  canSave: boolean;
  onUndo: () => void;
  saveTestId?: string;
  primary?: boolean;
}) {
  return (
    <>
      <button
        type="submit"
        className={primary ? 'button primary' : 'button'}
        data-testid={saveTestId}
        disabled={!canSave || !dirty}
      >
        Save
      </button>
      <button type="button" className="button ghost" disabled={!dirty} onClick={onUndo}>
        Undo changes
      </button>
    </>
  );
}
