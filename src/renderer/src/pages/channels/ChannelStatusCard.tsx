import type { ChannelStatus } from '../../../../shared/schemas/channels';
import { transport, tryCall, type ErrorInfo } from '../../call';
import { Badge, Card, Field } from '../../components/ui';
import { useNow } from '../../use-now';
import { useApp } from '../../store';
import { useState } from 'react';
import { CHANNEL_TITLE } from './channel-store';

const STATE: Record<
  ChannelStatus['state'],
  { text: string; tone: 'ok' | 'bad' | 'warn' | 'muted' }
> = {
  disabled: { text: 'Off', tone: 'muted' },
  connecting: { text: 'Connecting…', tone: 'warn' },
  connected: { text: 'Connected', tone: 'ok' },
  reconnecting: { text: 'Reconnecting', tone: 'warn' },
  failed: { text: 'Failed', tone: 'bad' },
};

/** Where the channel stands: its state, whom it is logged in as, its counters; Connect/Disconnect. */
export function ChannelStatusCard({
  status,
  onChange,
}: {
  status: ChannelStatus;
  onChange: (next: ChannelStatus) => void;
}) {
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const apiUrl = useApp((s) => s.info?.apiUrl ?? 'http://localhost:55765');
  const now = useNow(1000);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const act = async (op: 'channels.connect' | 'channels.disconnect') => {
    setError(null);
    const outcome = await tryCall(() => transport().call(op, { name: status.name }));
    if (outcome.ok) onChange(outcome.value);
    else setError(outcome.error);
  };
  const state = STATE[status.state];
  const retryIn = status.nextRetryAt
    ? Math.max(0, Math.round((Date.parse(status.nextRetryAt) - now) / 1000))
    : null;
  const on = status.state !== 'disabled';
  return (
    <Card
      title={`${CHANNEL_TITLE[status.name]} connection`}
      testId="channel-status"
      actions={
        <button
          type="button"
          className={`button${on ? '' : ' primary'}`}
          data-testid={on ? 'channel-disconnect' : 'channel-connect'}
          disabled={!canMutate || (!on && !status.configured)}
          title={status.configured ? undefined : 'Save credentials first'}
          onClick={() => void act(on ? 'channels.disconnect' : 'channels.connect')}
        >
          {on ? 'Disconnect' : 'Connect'}
        </button>
      }
    >
      <Field label="State">
        <Badge tone={state.tone} testId="channel-state">
          {state.text}
        </Badge>
        {status.state === 'reconnecting' ? (
          <span className="muted">
            {' '}
            attempt {status.attempt}
            {retryIn !== null ? `, next try in ${retryIn} s` : ''}
          </span>
        ) : null}
      </Field>
      {status.lastError && status.state !== 'connected' ? (
        <p className="problem bad" data-testid="channel-error">
          {status.lastError}
        </p>
      ) : null}
      {status.botIdentity ? (
        <Field label="Bot" testId="channel-bot">
          {status.botIdentity.name}
          {status.botIdentity.username ? (
            <code>
              {status.name === 'telegram' ? '@' : ''}
              {status.botIdentity.username}
            </code>
          ) : null}
        </Field>
      ) : null}
      {status.botIdentity?.notes.map((note) => (
        <p key={note} className="muted">
          {note}
        </p>
      ))}
      <Field label="Messages">
        {status.messagesIn} in, {status.messagesOut} out
        {status.blockedSenders ? `, ${status.blockedSenders} from senders not allowed` : ''}
        {status.queueDepth ? ` · ${status.queueDepth} waiting to be sent` : ''}
      </Field>
      {status.lastRefusal ? (
        <div className="problem warn" data-testid="channel-refusal">
          <p>
            Last refused reply, to <code>{status.lastRefusal.jid}</code>:{' '}
            {status.lastRefusal.message}
          </p>
          {status.lastRefusal.fix.length ? (
            <ol>
              {status.lastRefusal.fix.map((step) => (
                <li key={step}>{step}</li>
              ))}
            </ol>
          ) : null}
        </div>
      ) : null}
      {error ? <p className="problem bad">{error.message}</p> : null}
      <p className="muted">
        Status from the API:{' '}
        <code>
          curl {apiUrl}/api/v1/channels/{status.name}
        </code>
      </p>
    </Card>
  );
}
