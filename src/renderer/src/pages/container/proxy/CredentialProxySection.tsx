import type { AnyEvent } from '../../../../../shared/contract';
import { useLive } from '../../../use-live';
import { MappingsCard } from './MappingsCard';
import { ProxySettingsCard, ProxyStatusCard } from './ProxyStatusCard';
import { useProxy } from './proxy-store';

/**
 * The event carries the status; mappings and settings may have changed too (another window,
 * the API), so the whole view is read again. Events come at most twice a second.
 */
function onProxyEvent(event: AnyEvent): void {
  if (event.name !== 'proxy.changed') return;
  useProxy.setState((s) => (s.view ? { view: { ...s.view, status: event.payload } } : {}));
  void useProxy.getState().load();
}

export function CredentialProxySection() {
  const view = useProxy((s) => s.view);
  const load = useProxy((s) => s.load);
  useLive(load, onProxyEvent);
  if (!view) return <p>Loading…</p>;
  return (
    <>
      <ProxyStatusCard view={view} />
      <MappingsCard view={view} />
      <ProxySettingsCard view={view} />
    </>
  );
}
