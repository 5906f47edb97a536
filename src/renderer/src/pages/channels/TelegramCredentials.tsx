import { useRef, useState } from 'react';
import type { ChannelStatus, ValidationResult } from '../../../../shared/schemas/channels';
import { showSaved, transport, tryCall, type ErrorInfo } from '../../call';
import { FieldError, FormError, useRevealError } from '../../components/form-errors';
import { Card } from '../../components/ui';
import { useApp } from '../../store';
import { ValidationOutcome } from './ValidationOutcome';

/** The bot token (write-only), Validate Token, Save & connect, and BotFather's steps. */
export function TelegramCredentials({
  status,
  onChange,
}: {
  status: ChannelStatus;
  onChange: (next: ChannelStatus) => void;
}) {
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [token, setToken] = useState('');
  const [result, setResult] = useState<ValidationResult | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  useRevealError(formRef, error);
  const credentials = token.trim() ? { botToken: token.trim() } : undefined;

  const validate = async () => {
    setBusy(true);
    setError(null);
    const outcome = await tryCall(() =>
      transport().call('channels.validate', {
        name: 'telegram',
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
      transport().call('channels.configure', { name: 'telegram', enabled: true, credentials }),
    );
    setBusy(false);
    if (!outcome.ok) return setError(outcome.error);
    setToken('');
    onChange(outcome.value);
    showSaved('Saved. Connecting…');
  };

  return (
    <Card title="Telegram bot" testId="telegram-credentials">
      <form
        className="form"
        ref={formRef}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label>
          <span>Bot token</span>
          <input
            name="botToken"
            type="password"
            autoComplete="off"
            aria-label="Bot token"
            placeholder={
              status.configured
                ? 'Saved — enter a new one to replace it'
                : '123456789:AAE… (from @BotFather)'
            }
            value={token}
            disabled={!canMutate}
            onChange={(e) => setToken(e.target.value)}
          />
          <FieldError error={error} name="botToken" />
          <small className="muted">
            Kept in aigo&apos;s secret store; never shown again, never in logs.
          </small>
        </label>
        <FormError error={error} fields={['botToken']} testId="telegram-error" />
        <div className="form-actions">
          <button
            type="button"
            className="button"
            data-testid="validate-token"
            disabled={!canMutate || busy || (!credentials && !status.configured)}
            onClick={() => void validate()}
          >
            Validate Token
          </button>
          <button
            type="submit"
            className="button primary"
            data-testid="save-telegram"
            disabled={!canMutate || busy || !credentials}
          >
            Save and connect
          </button>
        </div>
      </form>
      <ValidationOutcome result={result} />
      <details>
        <summary>Set-up steps</summary>
        <ol>
          <li>In Telegram, open @BotFather, send /newbot and follow it; copy the token.</li>
          <li>Paste it above, Validate Token, then Save and connect.</li>
          <li>Send your bot a direct message; it appears under Chats — map it to a group.</li>
          <li>
            For a group chat: add the bot to the group, then @mention it. With group privacy on (the
            default) it sees only @mentions and replies, which is what triggers an agent.
          </li>
        </ol>
      </details>
    </Card>
  );
}
