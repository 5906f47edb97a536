import { useEffect } from 'react';
import { useApp } from '../../../store';
import { MappingsCard } from './MappingsCard';
import { ProxySettingsCard, ProxyStatusCard } from './ProxyStatusCard';
import { useProxy } from './proxy-store';

export function CredentialProxySection() {
  const view = useProxy((s) => s.view);
  const load = useProxy((s) => s.load);
  const transport = useApp((s) => s.transport);
  const epoch = useApp((s) => s.epoch); // reload after a reconnection
  useEffect(() => {
    if (!transport) return;
    void load();
    return transport.subscribe((event) => {
      // The event carries the status; mappings and settings may have changed too (another
      // window, the API), so read the whole view again. Events come at most twice a second.
      if (event.name === 'proxy.changed') {
        useProxy.setState((s) => (s.view ? { view: { ...s.view, status: event.payload } } : {}));
        void load();
      }
    });
  }, [transport, epoch, load]);
  if (!view) return <p>Loading…</p>;
  return (
    <>
      <ProxyStatusCard view={view} />
      <MappingsCard view={view} />
      <ProxySettingsCard view={view} />
    </>
  );
}
