import { create } from 'zustand';
import type { AnyEvent } from '../../../../shared/contract';
import type { Session, TranscriptItem } from '../../../../shared/schemas/sessions';
import { attempt, transport, tryCall, type ErrorInfo } from '../../call';
import { mergeItems, upsertItem, upsertSession } from './transcript';

type Action = 'start' | 'send' | 'stop' | 'open';

interface SessionsState {
  /** Recent sessions, newest first. */
  sessions: Session[];
  listLoaded: boolean;
  /** The session on screen; null shows the new-task composer. */
  currentId: string | null;
  current: Session | null;
  transcript: TranscriptItem[];
  loadingCurrent: boolean;
  busy: Action | null;
  /** The last refusal, shown next to what caused it. */
  error: { action: Action; error: ErrorInfo } | null;
  /** The composer's group (id) and task, kept while the user looks at other sessions. */
  draftGroup: string | null;
  draftPrompt: string;
  setDraft(draft: { group?: string | null; prompt?: string }): void;
  /** The list, and the session on screen again (after a reconnection events may be missing). */
  load(): Promise<void>;
  open(id: string | null): Promise<void>;
  start(): Promise<Session | null>;
  send(text: string): Promise<boolean>;
  stop(): Promise<void>;
  clearError(): void;
  onEvent(event: AnyEvent): void;
}

const LIST_LIMIT = 100;
/** Transcript events that arrive while `sessions.get` is on its way, merged into its answer. */
let buffered: { id: string; items: TranscriptItem[] } | null = null;
let loads = 0;
/** The session whose transcript is on screen in full. */
let loadedId: string | null = null;

export const useSessions = create<SessionsState>()((set, get) => {
  const fetchCurrent = async (id: string) => {
    const ticket = ++loads;
    buffered = { id, items: [] };
    set({ loadingCurrent: true });
    const outcome = await tryCall(() => transport().call('sessions.get', { id }));
    if (ticket !== loads || get().currentId !== id) return;
    const later = buffered?.id === id ? buffered.items : [];
    buffered = null;
    if (outcome.ok) {
      const { transcript, ...fetched } = outcome.value;
      loadedId = id;
      set((s) => ({
        current:
          s.current?.id === id && s.current.updatedAt > fetched.updatedAt ? s.current : fetched,
        transcript: mergeItems(transcript, later),
        sessions: upsertSession(s.sessions, fetched),
        loadingCurrent: false,
        error: s.error?.action === 'open' ? null : s.error,
      }));
    } else set({ loadingCurrent: false, error: { action: 'open', error: outcome.error } });
  };

  /** A session the core answered with: into the list, and on screen if it is the current one. */
  const adopt = (session: Session) =>
    set((s) => ({
      sessions: upsertSession(s.sessions, session),
      ...(s.currentId === session.id && (s.current?.updatedAt ?? '') <= session.updatedAt
        ? { current: session }
        : {}),
    }));

  return {
    sessions: [],
    listLoaded: false,
    currentId: null,
    current: null,
    transcript: [],
    loadingCurrent: false,
    busy: null,
    error: null,
    draftGroup: null,
    draftPrompt: '',
    setDraft: (draft) =>
      set((s) => ({
        draftGroup: draft.group === undefined ? s.draftGroup : draft.group,
        draftPrompt: draft.prompt ?? s.draftPrompt,
      })),
    async load() {
      const result = await attempt(() => transport().call('sessions.list', { limit: LIST_LIMIT }));
      if (result) set({ sessions: result.sessions, listLoaded: true });
      // Reloads a session already on screen (a reconnection); `open` loads a new one.
      const id = get().currentId;
      if (id && loadedId === id) await fetchCurrent(id);
    },
    async open(id) {
      if (id === get().currentId && (get().loadingCurrent || loadedId === id)) return;
      loadedId = null;
      const known = id ? (get().sessions.find((s) => s.id === id) ?? null) : null;
      set({ currentId: id, current: known, transcript: [], error: null });
      if (id) await fetchCurrent(id);
      else {
        loads++;
        buffered = null;
        set({ loadingCurrent: false });
      }
    },
    async start() {
      const { draftGroup, draftPrompt } = get();
      set({ busy: 'start', error: null });
      const outcome = await tryCall(() =>
        transport().call('sessions.create', {
          ...(draftGroup ? { group: draftGroup } : {}),
          prompt: draftPrompt,
        }),
      );
      set({ busy: null });
      if (!outcome.ok) {
        set({ error: { action: 'start', error: outcome.error } });
        return null;
      }
      adopt(outcome.value);
      set({ draftPrompt: '' });
      return outcome.value;
    },
    async send(text) {
      const id = get().currentId;
      if (!id) return false;
      set({ busy: 'send', error: null });
      const outcome = await tryCall(() => transport().call('sessions.message', { id, text }));
      set({ busy: null });
      if (!outcome.ok) {
        set({ error: { action: 'send', error: outcome.error } });
        return false;
      }
      adopt(outcome.value);
      return true;
    },
    async stop() {
      const id = get().currentId;
      if (!id) return;
      set({ busy: 'stop', error: null });
      const outcome = await tryCall(() => transport().call('sessions.stop', { id }));
      set({ busy: null });
      if (outcome.ok) adopt(outcome.value);
      else set({ error: { action: 'stop', error: outcome.error } });
    },
    clearError: () => set({ error: null }),
    onEvent(event) {
      if (event.name === 'session.updated') adopt(event.payload);
      else if (event.name === 'session.transcript') {
        const { session, item } = event.payload;
        if (buffered?.id === session) buffered.items.push(item);
        else if (get().currentId === session && !get().loadingCurrent)
          set((s) => ({ transcript: upsertItem(s.transcript, item) }));
      }
    },
  };
});

export function onSessionsEvent(event: AnyEvent): void {
  useSessions.getState().onEvent(event);
}
