import { useEffect, useState } from 'react';
import type { AnyEvent } from '../../../shared/contract';
import type { ImageStatus } from '../../../shared/schemas/image';
import type { ProxyStatus } from '../../../shared/schemas/proxy';
import { runtimeDisplayName } from '../../../shared/schemas/runtime';
import type { Session } from '../../../shared/schemas/sessions';
import { tryCall } from '../call';
import { useApp } from '../store';

/** A session whose agent is at work (or about to be, or winding down). */
const ACTIVE: ReadonlySet<Session['state']> = new Set(['starting', 'running', 'stopping']);

const IMAGE_TEXT: Record<ImageStatus['state'], string> = {
  missing: 'not built',
  building: 'building…',
  ready: 'ready',
  outdated: 'outdated',
  unknown: 'unknown',
  failed: 'build failed',
  cancelled: 'build cancelled',
};

type Tone = 'ok' | 'bad' | 'warn' | 'muted';

function Item({
  href,
  tone,
  label,
  value,
  testId,
}: {
  href: string;
  tone: Tone;
  label: string;
  value: string;
  testId: string;
}) {
  return (
    <a href={href} className="strip-item" data-testid={testId} title={`${label}: ${value}`}>
      <span className={`dot ${tone}`} aria-hidden="true" />
      <span className="strip-label">{label}</span> <span className="strip-value">{value}</span>
    </a>
  );
}

/**
 * The window frame's status line: the runtime, the credential proxy, the agent image and the
 * agents at work, each a link to its page, kept current by the events the app receives.
 */
export function StatusStrip() {
  const transport = useApp((s) => s.transport);
  const epoch = useApp((s) => s.epoch);
  const runtime = useApp((s) => s.runtime);
  const connection = useApp((s) => s.connection);
  const paused = useApp((s) => s.settings?.sessions.paused ?? false);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const updateSettings = useApp((s) => s.updateSettings);
  const [proxy, setProxy] = useState<ProxyStatus | null>(null);
  const [image, setImage] = useState<ImageStatus | null>(null);
  const [sessions, setSessions] = useState<Record<string, Session['state']> | null>(null);

  useEffect(() => {
    if (!transport) return;
    let live = true;
    void tryCall(() => transport.call('proxy.status')).then((o) => {
      if (live && o.ok) setProxy(o.value);
    });
    void tryCall(() => transport.call('image.status')).then((o) => {
      if (live && o.ok) setImage(o.value);
    });
    void tryCall(() => transport.call('sessions.list', { limit: 500 })).then((o) => {
      if (live && o.ok)
        setSessions(Object.fromEntries(o.value.sessions.map((s) => [s.id, s.state])));
    });
    const off = transport.subscribe((event: AnyEvent) => {
      if (event.name === 'proxy.changed') setProxy(event.payload);
      else if (event.name === 'image.changed') setImage(event.payload);
      else if (event.name === 'session.updated') {
        const { id, state } = event.payload;
        setSessions((s) => ({ ...s, [id]: state }));
      }
    });
    return () => {
      live = false;
      off();
    };
  }, [transport, epoch]);

  const running = sessions ? Object.values(sessions).filter((s) => ACTIVE.has(s)).length : null;
  return (
    <footer
      className={`status-strip${connection === 'offline' ? ' offline' : ''}`}
      data-testid="status-strip"
      aria-label="Status"
    >
      <Item
        href="#/container/runtime"
        testId="strip-runtime"
        label="Runtime"
        tone={runtime ? (runtime.available ? 'ok' : 'bad') : 'muted'}
        value={
          runtime
            ? runtime.available
              ? runtimeDisplayName(runtime)
              : 'not available'
            : 'checking…'
        }
      />
      <Item
        href="#/container/proxy"
        testId="strip-proxy"
        label="Credential proxy"
        tone={proxy ? (proxy.running ? 'ok' : proxy.enabled ? 'bad' : 'muted') : 'muted'}
        value={proxy ? (proxy.running ? 'running' : proxy.enabled ? 'not running' : 'off') : '—'}
      />
      <Item
        href="#/container/image"
        testId="strip-image"
        label="Agent image"
        tone={
          image
            ? image.state === 'ready'
              ? 'ok'
              : image.state === 'failed'
                ? 'bad'
                : image.state === 'building' || image.state === 'outdated'
                  ? 'warn'
                  : 'muted'
            : 'muted'
        }
        value={image ? IMAGE_TEXT[image.state] : '—'}
      />
      <Item
        href="#/cowork"
        testId="strip-agents"
        label="Agents"
        tone={paused ? 'warn' : running ? 'ok' : 'muted'}
        value={
          running === null
            ? '—'
            : paused
              ? `paused${running ? `, ${running} stopping` : ''}`
              : `${running} running`
        }
      />
      <button
        type="button"
        className="strip-action"
        data-testid="strip-pause"
        disabled={!canMutate || connection === 'offline'}
        title={
          paused
            ? 'Queued and scheduled agents start again'
            : 'Running agents finish their step and stop; new ones wait until you resume'
        }
        onClick={() => void updateSettings({ sessions: { paused: !paused } })}
      >
        {paused ? 'Resume agents' : 'Pause all agents'}
      </button>
      {connection === 'offline' ? <span className="strip-offline">Not connected</span> : null}
    </footer>
  );
}
