import type { Page } from './store';

export const CONTAINER_TAB_IDS = [
  'runtime',
  'image',
  'mounts',
  'proxy',
  'groups',
  'schedules',
  'runs',
] as const;
export type ContainerTab = (typeof CONTAINER_TAB_IDS)[number];

const PAGE_IDS: readonly Page[] = [
  'cowork',
  'squads',
  'container',
  'channels',
  'security',
  'health',
  'advanced',
];

export const CHANNEL_IDS = ['telegram', 'whatsapp', 'slack', 'discord'] as const;
export type ChannelTab = (typeof CHANNEL_IDS)[number];

/**
 * Where the window is, from the address's fragment: `#/cowork`, `#/cowork/<session id>`,
 * `#/squads`, `#/squads/<squad id>`, `#/squads/<squad id>/<task id>` (its open task),
 * `#/container/<tab>`, `#/container/runs/<run id>`, `#/container/schedules/<schedule id>` (its
 * run log). Anything unknown opens Cowork.
 */
export interface Route {
  page: Page;
  tab: ContainerTab;
  /**
   * The session (Cowork), the squad (Squad), the run (Container > Runs) or the schedule the
   * route names, if any.
   */
  id: string | null;
  /** Squad: the task whose detail is open. */
  task: string | null;
  /** `?session=…` after the path (Runs filtered to one session). */
  query: Record<string, string>;
  /** Settings > Channels: which platform. */
  channel: ChannelTab;
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const query = Object.fromEntries(new URLSearchParams(search));
  const [first, second, third] = path.split('/').map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  const page = PAGE_IDS.includes(first as Page) ? (first as Page) : 'cowork';
  const tab = CONTAINER_TAB_IDS.includes(second as ContainerTab)
    ? (second as ContainerTab)
    : 'runtime';
  const id =
    page === 'cowork' || page === 'squads'
      ? second || null
      : page === 'container'
        ? third || null
        : null;
  const task = page === 'squads' && id ? third || null : null;
  const channel = CHANNEL_IDS.includes(second as ChannelTab) ? (second as ChannelTab) : 'telegram';
  return { page, tab, id, task, query, channel };
}

export const sessionHref = (id: string | null) =>
  id ? `#/cowork/${encodeURIComponent(id)}` : '#/cowork';
export const runHref = (id: string | null, session?: string | null) =>
  `#/container/runs${id ? `/${encodeURIComponent(id)}` : ''}${
    session ? `?session=${encodeURIComponent(session)}` : ''
  }`;

/** A squad (and one of its tasks, open), or the new-squad form. */
export const squadHref = (id: string | null, task?: string | null) =>
  id
    ? `#/squads/${encodeURIComponent(id)}${task ? `/${encodeURIComponent(task)}` : ''}`
    : '#/squads';

/** A schedule's run log (Container > Schedules), or the list alone. */
export const scheduleHref = (id: string | null) =>
  `#/container/schedules${id ? `/${encodeURIComponent(id)}` : ''}`;

export function navigate(href: string): void {
  if (window.location.hash !== href) window.location.hash = href;
}
