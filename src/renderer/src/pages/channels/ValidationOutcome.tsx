import type { ValidationResult } from '../../../../shared/schemas/channels';

/** What Validate found: who the credentials belong to, or the cause and the steps to fix it. */
export function ValidationOutcome({ result }: { result: ValidationResult | null }) {
  if (!result) return null;
  return (
    <div
      className={`problem ${result.ok ? 'ok' : 'bad'}`}
      role="status"
      data-testid="channel-validation"
    >
      <p>{result.message}</p>
      {result.fix.length ? (
        <ol>
          {result.fix.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
      ) : null}
      {result.identity?.notes.map((note) => (
        <p key={note} className="muted">
          {note}
        </p>
      ))}
    </div>
  );
}
