import { useImage } from '../container/image/image-store';
import { useApp } from '../../store';
import { useReadiness } from './readiness-store';

interface Notice {
  id: string;
  tone: 'bad' | 'warn';
  text: string;
  fix: string;
  href: string;
}

/** What would stop an agent from working, each with where to fix it. Informs; never blocks. */
export function Readiness() {
  const runtime = useApp((s) => s.runtime);
  const image = useImage((s) => s.status);
  const proxy = useReadiness((s) => s.proxy);
  const notices: Notice[] = [];
  if (runtime && !runtime.available)
    notices.push({
      id: 'runtime',
      tone: 'bad',
      text: `No container runtime is available: ${runtime.message}`,
      fix: 'Fix it in Settings › Container › Runtime',
      href: '#/container/runtime',
    });
  if (image?.state === 'missing' || image?.state === 'cancelled')
    notices.push({
      id: 'image',
      tone: 'warn',
      text: 'The agent image is not built yet: agents need it to start.',
      fix: 'Build it in Settings › Container › Image',
      href: '#/container/image',
    });
  else if (image?.state === 'failed')
    notices.push({
      id: 'image',
      tone: 'bad',
      text: `The agent image failed to build${image.error ? `: ${image.error}` : '.'}`,
      fix: 'See the build output in Settings › Container › Image',
      href: '#/container/image',
    });
  else if (image?.state === 'building')
    notices.push({
      id: 'image',
      tone: 'warn',
      text: `The agent image is being built (${image.progress?.percent ?? 0}%).`,
      fix: 'Follow it in Settings › Container › Image',
      href: '#/container/image',
    });
  else if (image?.state === 'outdated')
    notices.push({
      id: 'image',
      tone: 'warn',
      text: 'The agent image was built by another version of aigo.',
      fix: 'Rebuild it in Settings › Container › Image',
      href: '#/container/image',
    });
  if (proxy && proxy.mappingCount === 0)
    notices.push({
      id: 'proxy',
      tone: 'warn',
      text: 'No API key yet: the agent cannot reach a model without one.',
      fix: 'Add one in Settings › Container › Credential Proxy',
      href: '#/container/proxy',
    });
  else if (proxy && proxy.enabled && !proxy.running)
    notices.push({
      id: 'proxy',
      tone: 'warn',
      text: `The credential proxy is not running${proxy.lastError ? `: ${proxy.lastError}` : '.'}`,
      fix: 'Check Settings › Container › Credential Proxy',
      href: '#/container/proxy',
    });
  if (notices.length === 0) return null;
  return (
    <ul className="readiness" data-testid="cowork-readiness">
      {notices.map((n) => (
        <li key={n.id} className={`problem${n.tone === 'warn' ? ' warn' : ''}`}>
          <span>{n.text}</span> <a href={n.href}>{n.fix} →</a>
        </li>
      ))}
    </ul>
  );
}
