import type { ProxyView } from '../../../shared/schemas/proxy';
import type { Add } from './diagnostics';

/** The credential proxy: on, running, reachable only as it should be, and each mapping usable. */
export function diagnoseProxy(proxy: ProxyView, add: Add): void {
  const s = proxy.status;
  if (!s.enabled) {
    add({
      id: 'proxy',
      area: 'proxy',
      status: 'warn',
      title: 'Credential proxy is turned off',
      detail: 'Agents in containers cannot call the model API.',
      fix: ['Settings > Container > Credential Proxy → turn it on'],
      route: 'container/proxy',
    });
  } else if (!s.running) {
    add({
      id: 'proxy',
      area: 'proxy',
      status: 'fail',
      title: 'Credential proxy is not running',
      detail: s.lastError ?? 'unknown error',
      fix: [
        'Settings > Container > Credential Proxy → toggle off and on',
        'Choose another port if the port is in use',
      ],
      route: 'container/proxy',
    });
  } else {
    const wide = s.bindAddress === '0.0.0.0' || s.bindAddress === '::';
    if (!s.strict) {
      // Without session tokens, anything that reaches the port can spend the keys.
      add({
        id: 'proxy',
        area: 'proxy',
        status: wide ? 'fail' : 'warn',
        title: wide
          ? `Credential proxy is open to the network on ${s.bindAddress}:${s.port} without session tokens`
          : `Credential proxy running on ${s.bindAddress}:${s.port} without session tokens`,
        detail: wide
          ? 'Any machine that reaches this port can spend your API keys.'
          : 'Any local process that reaches the port can spend your API keys.',
        fix: [
          'Settings > Container > Credential Proxy → turn Strict on',
          ...(wide ? ['Set the bind address back to automatic'] : []),
        ],
        route: 'container/proxy',
      });
    } else {
      add({
        id: 'proxy',
        area: 'proxy',
        status: wide ? 'warn' : 'ok',
        title: `Credential proxy running on ${s.bindAddress}:${s.port}`,
        detail: wide
          ? 'listening on every interface (session tokens still required)'
          : 'strict: per-container session tokens required',
        fix: wide
          ? ['Set the bind address back to automatic unless other machines must reach it']
          : [],
        route: 'container/proxy',
      });
    }
  }
  if (proxy.mappings.length === 0) {
    add({
      id: 'proxy-mappings',
      area: 'proxy',
      status: 'warn',
      title: 'No credential mapping',
      detail: 'Without one, containers have no API to call.',
      fix: ['Settings > Container > Credential Proxy → Add mapping with your API key'],
      route: 'container/proxy',
    });
  }
  for (const m of proxy.mappings) {
    // One item per mapping: its worst problem, or ok.
    if (!m.hasKey && m.auth.type !== 'none')
      add({
        id: `proxy-key-${m.id}`,
        area: 'proxy',
        status: 'fail',
        title: `Mapping "${m.name}" has no API key`,
        detail: m.upstreamUrl,
        fix: ['Edit the mapping and enter the real API key'],
        route: 'container/proxy',
      });
    else if (m.lastStatus === 401 || m.lastStatus === 403)
      add({
        id: `proxy-rejected-${m.id}`,
        area: 'proxy',
        status: 'fail',
        title: `The upstream rejected the key of "${m.name}"`,
        detail: `last answer HTTP ${m.lastStatus}`,
        fix: ['Check that the real API key is valid; replace it in the mapping, then press Test'],
        route: 'container/proxy',
      });
    else if (m.lastStatus === 502 || m.lastStatus === 504)
      add({
        id: `proxy-unreachable-${m.id}`,
        area: 'proxy',
        status: 'warn',
        title: `The upstream of "${m.name}" could not be reached`,
        detail: `${m.upstreamUrl}: last answer HTTP ${m.lastStatus}${m.lastStatus === 504 ? ' (no answer in time)' : ''}`,
        fix: [
          'Verify the upstream URL in the mapping is correct and reachable, then press Test',
          'Check this computer’s internet connection (and proxy)',
        ],
        route: 'container/proxy',
      });
    else
      add({
        id: `proxy-mapping-${m.id}`,
        area: 'proxy',
        status: 'ok',
        title: `Mapping "${m.name}": API key set`,
        detail:
          m.lastStatus === null
            ? `${m.upstreamUrl} (not used yet)`
            : `${m.upstreamUrl}: last answer HTTP ${m.lastStatus}`,
        route: 'container/proxy',
      });
  }
}
