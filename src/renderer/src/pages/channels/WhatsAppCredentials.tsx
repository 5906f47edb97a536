import type { ChannelStatus } from '../../../../shared/schemas/channels';
import { CopyButton } from '../../components/ui';
import { useApp } from '../../store';
import { CredentialsCard, type CredentialField } from './CredentialsCard';

const FIELDS: CredentialField[] = [
  {
    name: 'phoneNumberId',
    label: 'Phone number ID',
    type: 'text',
    hint: 'the number under WhatsApp → API Setup',
  },
  {
    name: 'accessToken',
    label: 'Access token',
    type: 'password',
    hint: 'a permanent (System User) token',
  },
  {
    name: 'appSecret',
    label: 'App secret',
    type: 'password',
    hint: 'App settings → Basic → App Secret',
  },
  {
    name: 'verifyToken',
    label: 'Verify token',
    type: 'password',
    hint: 'any phrase of 8+ characters you choose',
  },
];

/** The Cloud API credentials, and how to give Meta a way to the local webhook. */
export function WhatsAppCredentials({
  status,
  onChange,
}: {
  status: ChannelStatus;
  onChange: (next: ChannelStatus) => void;
}) {
  const apiUrl = useApp((s) => s.info?.apiUrl ?? 'http://127.0.0.1:55765');
  const path = status.webhook?.path ?? '/api/v1/channels/whatsapp/webhook';
  return (
    <CredentialsCard
      channel="whatsapp"
      title="WhatsApp Cloud API"
      fields={FIELDS}
      status={status}
      onChange={onChange}
    >
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
    </CredentialsCard>
  );
}
