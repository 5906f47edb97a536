import type { ContainerTab } from '../../route';
import { GroupsSection } from './groups/GroupsSection';
import { ImageSection } from './image/ImageSection';
import { MountSecuritySection } from './mounts/MountSecuritySection';
import { CredentialProxySection } from './proxy/CredentialProxySection';
import { RuntimePreferences } from './RuntimePreferences';
import { RuntimeSection } from './RuntimeSection';
import { RunsSection } from './runs/RunsSection';
import { SchedulesSection } from './schedules/SchedulesSection';

export const CONTAINER_TABS = [
  { id: 'runtime', label: 'Runtime' },
  { id: 'image', label: 'Image' },
  { id: 'mounts', label: 'Mount Security' },
  { id: 'proxy', label: 'Credential Proxy' },
  { id: 'groups', label: 'Groups' },
  { id: 'schedules', label: 'Schedules' },
  { id: 'runs', label: 'Runs' },
] as const satisfies readonly { id: ContainerTab; label: string }[];

export function ContainerPage({
  tab,
  id,
  query,
}: {
  tab: ContainerTab;
  id: string | null;
  query: Record<string, string>;
}) {
  return (
    <div className="page" data-testid="page-container">
      <h1>Container</h1>
      <nav className="tabs" aria-label="Container settings">
        {CONTAINER_TABS.map((t) => (
          <a
            key={t.id}
            href={`#/container/${t.id}`}
            className={tab === t.id ? 'active' : ''}
            data-testid={`tab-${t.id}`}
          >
            {t.label}
          </a>
        ))}
      </nav>
      {tab === 'runtime' ? (
        <>
          <p className="lead">
            Where your agents run. aigo finds Docker (or Podman) and Apple Container by itself and
            tells you what to fix when it can't.
          </p>
          <RuntimeSection />
          <RuntimePreferences />
        </>
      ) : tab === 'image' ? (
        <>
          <p className="lead">
            The image every agent container starts from (its name is below), with the agent runner
            and the tools agents use. Rebuild it after an aigo update.
          </p>
          <ImageSection />
        </>
      ) : tab === 'groups' ? (
        <>
          <p className="lead">
            A group is one agent with its own workspace, chats, mounts and container limits. The
            main group always exists; other groups see their folders read-only unless Mount Security
            says otherwise.
          </p>
          <GroupsSection />
        </>
      ) : tab === 'schedules' ? (
        <>
          <p className="lead">
            Agents that start on their own: at set times, every so often, or once. Each run is a
            session you can open in Cowork, and every run lands in the schedule’s log.
          </p>
          <SchedulesSection logsFor={id} />
        </>
      ) : tab === 'runs' ? (
        <>
          <p className="lead">
            Every container an agent ran in: how it ended, what it could see and what it printed
            last. Newest first.
          </p>
          <RunsSection runId={id} session={query.session ?? null} />
        </>
      ) : tab === 'proxy' ? (
        <>
          <p className="lead">
            Your real API keys stay on this machine. Containers get a placeholder key and a
            per-session token; the proxy swaps in the real key on the way out.
          </p>
          <CredentialProxySection />
        </>
      ) : (
        <>
          <p className="lead">
            Which of your folders agents may see. Deny by default: a folder is mounted only if it is
            inside an allowed root and nothing in its path looks like a secret.
          </p>
          <MountSecuritySection />
        </>
      )}
    </div>
  );
}
