import { create } from 'zustand';
import type { AnyEvent, OperationInput } from '../../../../shared/contract';
import type { PlanTask, Squad } from '../../../../shared/schemas/squads';
import { attempt, transport, tryCall, type ErrorInfo, type Outcome } from '../../call';

/** The new-squad form as typed: limits stay text until sent, so a half-typed number survives. */
export interface SquadDraft {
  group: string | null;
  goal: string;
  maxConcurrent: string;
  maxTasks: string;
  taskTimeoutSecs: string;
  executionTimeoutSecs: string;
  autoRun: boolean;
}

export const LIMIT_FIELDS = [
  'maxConcurrent',
  'maxTasks',
  'taskTimeoutSecs',
  'executionTimeoutSecs',
] as const;

const EMPTY_DRAFT: SquadDraft = {
  group: null,
  goal: '',
  maxConcurrent: '',
  maxTasks: '',
  taskTimeoutSecs: '',
  executionTimeoutSecs: '',
  autoRun: false,
};

interface SquadsState {
  /** Newest first. */
  squads: Squad[];
  listLoaded: boolean;
  /** The squad on screen; null shows the new-squad form. */
  currentId: string | null;
  current: Squad | null;
  loadingCurrent: boolean;
  openError: ErrorInfo | null;
  /** Kept while the user looks at other squads, and after a refusal. */
  draft: SquadDraft;
  setDraft(patch: Partial<SquadDraft>): void;
  load(): Promise<void>;
  open(id: string | null): Promise<void>;
  create(): Promise<Outcome<Squad>>;
  run(id: string): Promise<Outcome<Squad>>;
  updatePlan(id: string, tasks: PlanTask[]): Promise<Outcome<Squad>>;
  replan(id: string, feedback: string): Promise<Outcome<Squad>>;
  message(id: string, text: string, task?: string): Promise<Outcome<Squad>>;
  cancel(id: string): Promise<Outcome<Squad>>;
  cancelTask(id: string, task: string): Promise<Outcome<Squad>>;
  onEvent(event: AnyEvent): void;
}

const LIST_LIMIT = 100;
let loads = 0;
/** The squad whose full answer is on screen (a reconnection reloads it). */
let loadedId: string | null = null;

const newestFirst = (a: Squad, b: Squad) =>
  b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

/** The list with this squad's newest state; an answer that left before an event never undoes it. */
function upsertSquad(squads: Squad[], squad: Squad): Squad[] {
  const index = squads.findIndex((s) => s.id === squad.id);
  if (index < 0) return [...squads, squad].sort(newestFirst);
  if ((squads[index]?.updatedAt ?? '') > squad.updatedAt) return squads;
  const next = [...squads];
  next[index] = squad;
  return next;
}

/** The form's text as the contract's input: empty limits are left to the settings' defaults. */
function createInput(draft: SquadDraft): OperationInput<'squads.create'> {
  const limits: Partial<Record<(typeof LIMIT_FIELDS)[number], number>> = {};
  for (const field of LIMIT_FIELDS) {
    const text = draft[field].trim();
    // The number fields give '' for text that is no number; ranges are the core's to check.
    if (text !== '') limits[field] = Number(text);
  }
  return {
    ...(draft.group ? { group: draft.group } : {}),
    goal: draft.goal,
    ...limits,
    autoRun: draft.autoRun,
  };
}

/** Squads and the one on screen, for the Squad page. */
export const useSquads = create<SquadsState>()((set, get) => {
  /** A squad the core answered with (or pushed): into the list, and on screen if it is current. */
  const adopt = (squad: Squad) =>
    set((s) => ({
      squads: upsertSquad(s.squads, squad),
      ...(s.currentId === squad.id && (s.current?.updatedAt ?? '') <= squad.updatedAt
        ? { current: squad }
        : {}),
    }));

  const fetchCurrent = async (id: string) => {
    const ticket = ++loads;
    set({ loadingCurrent: true });
    const outcome = await tryCall(() => transport().call('squads.get', { id }));
    if (ticket !== loads || get().currentId !== id) return;
    if (outcome.ok) {
      loadedId = id;
      set({ loadingCurrent: false, openError: null });
      adopt(outcome.value);
    } else set({ loadingCurrent: false, openError: outcome.error });
  };

  /** A change: the squad it answers with is adopted at once (its event may come later). */
  const change = async (work: () => Promise<Squad>): Promise<Outcome<Squad>> => {
    const outcome = await tryCall(work);
    if (outcome.ok) adopt(outcome.value);
    return outcome;
  };

  return {
    squads: [],
    listLoaded: false,
    currentId: null,
    current: null,
    loadingCurrent: false,
    openError: null,
    draft: EMPTY_DRAFT,
    setDraft: (patch) => set((s) => ({ draft: { ...s.draft, ...patch } })),
    async load() {
      const result = await attempt(() => transport().call('squads.list', { limit: LIST_LIMIT }));
      if (result) set({ squads: [...result.squads].sort(newestFirst), listLoaded: true });
      const id = get().currentId;
      if (id && loadedId === id) await fetchCurrent(id);
    },
    async open(id) {
      if (id === get().currentId && (get().loadingCurrent || loadedId === id)) return;
      loadedId = null;
      const known = id ? (get().squads.find((s) => s.id === id) ?? null) : null;
      set({ currentId: id, current: known, openError: null });
      if (id) await fetchCurrent(id);
      else {
        loads++;
        set({ loadingCurrent: false });
      }
    },
    async create() {
      const outcome = await change(() =>
        transport().call('squads.create', createInput(get().draft)),
      );
      // The goal is done with; the group and limits are likely wanted again.
      if (outcome.ok) get().setDraft({ goal: '' });
      return outcome;
    },
    run: (id) => change(() => transport().call('squads.run', { id })),
    updatePlan: (id, tasks) => change(() => transport().call('squads.updatePlan', { id, tasks })),
    replan: (id, feedback) =>
      change(() =>
        transport().call('squads.replan', { id, ...(feedback.trim() ? { feedback } : {}) }),
      ),
    message: (id, text, task) =>
      change(() => transport().call('squads.message', { id, text, ...(task ? { task } : {}) })),
    cancel: (id) => change(() => transport().call('squads.cancel', { id })),
    cancelTask: (id, task) => change(() => transport().call('squads.cancelTask', { id, task })),
    onEvent(event) {
      if (event.name === 'squad.updated') adopt(event.payload);
    },
  };
});

export function onSquadsEvent(event: AnyEvent): void {
  useSquads.getState().onEvent(event);
}
