import { useRef, useState, type ReactNode } from 'react';
import type {
  ChannelName,
  ChannelStatus,
  ValidationResult,
} from '../../../../shared/schemas/channels';
import { showSaved, transport, tryCall, type ErrorInfo } from '../../call';
import { FieldError, FormError, useRevealError } from '../../components/form-errors';
import { Card } from '../../components/ui';
import { useApp } from '../../store';
import { ValidationOutcome } from './ValidationOutcome';

export interface CredentialField {
  name: string;
  label: string;
  type: 'text' | 'password';
  hint: string;
}

/**
 * A channel's credentials form: every field write-only (saved ones are never shown), Validate
 * (the typed values, else the saved ones) and Save and connect; the platform's help below.
 */
export function CredentialsCard({
  channel,
  title,
  fields,
  status,
  onChange,
  validateLabel = 'Validate',
  validateTestId = `validate-${channel}`,
  children,
}: {
  channel: ChannelName;
  title: string;
  fields: CredentialField[];
  status: ChannelStatus;
  onChange: (next: ChannelStatus) => void;
  /** The button's words: the guide says "Validate Token" for Telegram. */
  validateLabel?: string;
  validateTestId?: string;
  children?: ReactNode;
}) {
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const empty = () => Object.fromEntries(fields.map((f) => [f.name, '']));
  const [values, setValues] = useState<Record<string, string>>(empty);
  const [result, setResult] = useState<ValidationResult | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  useRevealError(formRef, error);
  const complete = fields.every((f) => (values[f.name] ?? '').trim() !== '');
  const credentials = complete
    ? Object.fromEntries(fields.map((f) => [f.name, (values[f.name] ?? '').trim()]))
    : undefined;

  const validate = async () => {
    setBusy(true);
    setError(null);
    const outcome = await tryCall(() =>
      transport().call('channels.validate', {
        name: channel,
        ...(credentials ? { credentials } : {}),
      }),
    );
    setBusy(false);
    if (outcome.ok) setResult(outcome.value);
    else setError(outcome.error);
  };
  const save = async () => {
    setBusy(true);
    setError(null);
    const outcome = await tryCall(() =>
      transport().call('channels.configure', { name: channel, enabled: true, credentials }),
    );
    setBusy(false);
    if (!outcome.ok) return setError(outcome.error);
    onChange(outcome.value);
    setValues(empty());
    showSaved('Saved. Connecting…');
  };

  return (
    <Card title={title} testId={`${channel}-credentials`}>
      <form
        className="form"
        ref={formRef}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {fields.map((f) => (
          <label key={f.name}>
            <span>{f.label}</span>
            <input
              name={f.name}
              aria-label={f.label}
              type={f.type}
              autoComplete="off"
              placeholder={
                status.configured
                  ? fields.length === 1
                    ? 'Saved — enter a new one to replace it'
                    : 'Saved — enter all to replace them'
                  : f.hint
              }
              value={values[f.name] ?? ''}
              disabled={!canMutate}
              onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
            />
            <FieldError error={error} name={f.name} />
          </label>
        ))}
        <FormError error={error} fields={fields.map((f) => f.name)} testId={`${channel}-error`} />
        <div className="form-actions">
          <button
            type="button"
            className="button"
            data-testid={validateTestId}
            disabled={!canMutate || busy || (!complete && !status.configured)}
            onClick={() => void validate()}
          >
            {validateLabel}
          </button>
          <button
            type="submit"
            className="button primary"
            data-testid={`save-${channel}`}
            disabled={!canMutate || busy || !complete}
          >
            Save and connect
          </button>
        </div>
      </form>
      <ValidationOutcome result={result} />
      {children}
    </Card>
  );
}
