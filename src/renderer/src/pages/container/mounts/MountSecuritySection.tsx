import { useEffect } from 'react';
import { useApp } from '../../../store';
import { AllowedRoots } from './AllowedRoots';
import { BlockedPatterns, NonMainReadOnly } from './BlockedPatterns';
import { MountTester } from './MountTester';
import { useMounts } from './mounts-store';

export function MountSecuritySection() {
  const view = useMounts((s) => s.view);
  const load = useMounts((s) => s.load);
  const setView = useMounts((s) => s.setView);
  const transport = useApp((s) => s.transport);
  const epoch = useApp((s) => s.epoch); // reload after a reconnection
  useEffect(() => {
    if (!transport) return;
    void load();
    // Another window or the API may change the policy: follow it live.
    return transport.subscribe((event) => {
      if (event.name === 'mountSecurity.changed') setView(event.payload);
    });
  }, [transport, epoch, load, setView]);
  if (!view) return <p>Loading…</p>;
  return (
    <>
      <AllowedRoots view={view} />
      <BlockedPatterns view={view} />
      <NonMainReadOnly view={view} />
      <MountTester />
    </>
  );
}
