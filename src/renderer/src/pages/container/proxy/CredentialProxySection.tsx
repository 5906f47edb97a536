import { useEffect } from 'react';
import { useApp } from '../../../store';
import { MappingsCard } from './MappingsCard';
import { ProxySettingsCard, ProxyStatusCard } from './ProxyStatusCard';
import { useProxy } from './proxy-store';

export function CredentialProxySection() {
  const view = useProxy((s) => s.view);
  const load = useProxy((s) => s.load);
  const transport = useApp((s) => s.transport);
  useEffect(() => {
    if (!transport) return;
    void load();
    return transport.subscribe((event) => {
      if (event.name === 'proxy.changed')
        useProxy.setState((s) => (s.view ? { view: { ...s.view, status: event.payload } } : {}));
    });
  }, [transport, load]);
  if (!view) return <p>Loading…</p>;
  return (
    <>
      <ProxyStatusCard view={view} />
      <MappingsCard view={view} />
      <ProxySettingsCard view={view} />
    </>
  );
}
