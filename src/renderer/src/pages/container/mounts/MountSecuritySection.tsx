import type { AnyEvent } from '../../../../../shared/contract';
import { useLive } from '../../../use-live';
import { AllowedRoots } from './AllowedRoots';
import { BlockedPatterns, NonMainReadOnly } from './BlockedPatterns';
import { MountTester } from './MountTester';
import { useMounts } from './mounts-store';

/** Another window or the API may change the policy: follow it live. */
function onMountEvent(event: AnyEvent): void {
  if (event.name === 'mountSecurity.changed') useMounts.getState().setView(event.payload);
}

export function MountSecuritySection() {
  const view = useMounts((s) => s.view);
  const load = useMounts((s) => s.load);
  useLive(load, onMountEvent);
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
