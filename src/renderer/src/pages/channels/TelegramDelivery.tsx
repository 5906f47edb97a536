import { useRef, useState } from 'react';
import type { ChannelStatus } from '../../../../shared/schemas/channels';
import { showSaved, transport, tryCall, type ErrorInfo } from '../../call';
import { FieldError, FormError, useRevealError } from '../../components/form-errors';
import { Card } from '../../components/ui';
import { useApp } from '../../store';

type Mode = { mode: 'polling' | 'webhook'; publicUrl: string | null };

/** How Telegram delivers: long polling (works anywhere), or a webhook through a tunnel. */
export function TelegramDelivery({
  saved,
  onChange,
}: {
  saved: Mode;
  onChange: (status: ChannelStatus) => void;
}) {
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const apiUrl = useApp((s) => s.info?.apiUrl ?? 'http://127.0.0.1:55765');
  const [mode, setMode] = useState<Mode['mode']>(saved.mode);
  const [publicUrl, setPublicUrl] = useState(saved.publicUrl ?? '');
  const [error, setError] = useState<ErrorInfo | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useRevealError(formRef, error);
  const save = async () => {
    setError(null);
    const outcome = await tryCall(() =>
      transport().call('channels.telegramMode', {
        mode,
        publicUrl: mode === 'webhook' ? publicUrl.trim() || null : null,
      }),
    );
    if (!outcome.ok) return setError(outcome.error);
    onChange(outcome.value);
    showSaved();
  };
  return (
    <Card title="How Telegram delivers messages" testId="telegram-delivery">
      <form
        className="form"
        ref={formRef}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label>
          <span>Delivery</span>
          <select
            aria-label="Delivery"
            value={mode}
            disabled={!canMutate}
            onChange={(e) => setMode(e.target.value as Mode['mode'])}
          >
            <option value="polling">Long polling (works anywhere; the default)</option>
            <option value="webhook">Webhook through a tunnel</option>
          </select>
        </label>
        {mode === 'webhook' ? (
          <label>
            <span>Tunnel&apos;s public address</span>
            <input
              name="publicUrl"
              aria-label="Tunnel's public address"
              placeholder="https://abc.trycloudflare.com"
              value={publicUrl}
              disabled={!canMutate}
              onChange={(e) => setPublicUrl(e.target.value)}
            />
            <FieldError error={error} name="publicUrl" />
            <small className="muted">
              Run a tunnel to aigo (e.g. <code>cloudflared tunnel --url {apiUrl}</code>) and paste
              the https:// address it prints. aigo registers{' '}
              <code>/api/v1/channels/telegram/webhook</code> there with a secret Telegram sends
              back; posts without it are refused and audited.
            </small>
          </label>
        ) : null}
        <FormError error={error} fields={['publicUrl']} testId="telegram-delivery-error" />
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={!canMutate}>
            Save
          </button>
        </div>
      </form>
    </Card>
  );
}
