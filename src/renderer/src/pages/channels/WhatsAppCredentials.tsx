import { useRef, useState } from 'react';
import type { ChannelStatus, ValidationResult } from '../../../../shared/schemas/channels';
import { showSaved, transport, tryCall, type ErrorInfo } from '../../call';
import { FieldError, FormError, useRevealError } from '../../components/form-errors';
import { Card, CopyButton } from '../../components/ui';
import { useApp } from '../../store';
import { ValidationOutcome } from './ValidationOutcome';

const FIELDS = [
  ['phoneNumberId', 'Phone number ID', 'text', 'the number under WhatsApp → API Setup'],
  ['accessToken', 'Access token', 'password', 'a permanent (System User) token'],
  ['appSecret', 'App secret', 'password', 'App settings → Basic → App Secret'],
  ['verifyToken', 'Verify token', 'password', 'any phrase of 8+ characters you choose'],
] as const;
type FieldName = (typeof FIELDS)[number][0];

/** The Cloud API credentials, Validate, and how to give Meta a way to the local webhook. */
export function WhatsAppCredentials({
  status,
  onChange,
}: {
  status: ChannelStatus;
  onChange: (next: ChannelStatus) => void;
}) {
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const apiUrl = useApp((s) => s.info?.apiUrl ?? 'http://127.0.0.1:55765');
  const [values, setValues] = useState<Record<FieldName, string>>({
    phoneNumberId: '',
    accessToken: '',
    appSecret: '',
    verifyToken: '',
  });
  const [result, setResult] = useState<ValidationResult | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  useRevealError(formRef, error);
  const complete = FIELDS.every(([name]) => values[name].trim() !== '');
  const credentials = complete
    ? Object.fromEntries(FIELDS.map(([name]) => [name, values[name].trim()]))
    : undefined;
  const path = status.webhook?.path ?? '/api/v1/channels/whatsapp/webhook';

  const validate = async () => {
    setBusy(true);
    setError(null);
    const outcome = await tryCall(() =>
      transport().call('channels.validate', {
        name: 'whatsapp',
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
      transport().call('channels.configure', { name: 'whatsapp', enabled: true, credentials }),
    );
    setBusy(false);
    if (!outcome.ok) return setError(outcome.error);
    onChange(outcome.value);
    setValues({ phoneNumberId: '', accessToken: '', appSecret: '', verifyToken: '' });
    showSaved('Saved. Connecting…');
  };

  return (
    <Card title="WhatsApp Cloud API" testId="whatsapp-credentials">
      <form
        className="form"
        ref={formRef}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {FIELDS.map(([name, label, type, hint]) => (
          <label key={name}>
            <span>{label}</span>
            <input
              name={name}
              aria-label={label}
              type={type}
              autoComplete="off"
              placeholder={status.configured ? 'Saved — enter all four to replace them' : hint}
              value={values[name]}
              disabled={!canMutate}
              onChange={(e) => setValues({ ...values, [name]: e.target.value })}
            />
            <FieldError error={error} name={name} />
          </label>
        ))}
        <FormError error={error} fields={FIELDS.map(([n]) => n)} testId="whatsapp-error" />
        <div className="form-actions">
          <button
            type="button"
            className="button"
            data-testid="validate-whatsapp"
            disabled={!canMutate || busy || (!complete && !status.configured)}
            onClick={() => void validate()}
          >
            Validate
          </button>
          <button
            type="submit"
            className="button primary"
            disabled={!canMutate || busy || !complete}
          >
            Save and connect
          </button>
        </div>
      </form>
      <ValidationOutcome result={result} />
      <div className="muted" data-testid="whatsapp-webhook-help">
        <p>
          Meta delivers messages to a public HTTPS webhook; aigo&apos;s API listens only on this
          computer and is never opened to the network. Run a tunnel to it, for example{' '}
          <code>cloudflared tunnel --url {apiUrl}</code>, then in your Meta app under WhatsApp →
          Configuration → Webhook enter the tunnel&apos;s URL followed by <code>{path}</code>{' '}
          <CopyButton text={path} />, the verify token above, and subscribe to <code>messages</code>
          . Every post must carry Meta&apos;s signature (made with the app secret); others are
          refused and audited.
        </p>
        {status.webhook ? (
          <p data-testid="whatsapp-webhook-state">
            Webhook: {status.webhook.verified ? 'verified by Meta' : 'not verified yet'}
            {status.webhook.signatureFailures
              ? ` · ${status.webhook.signatureFailures} posts refused (bad signature)`
              : ''}
          </p>
        ) : null}
      </div>
    </Card>
  );
}
