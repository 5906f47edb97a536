import { create } from 'zustand';
import type { AnyEvent } from '../../../../../shared/contract';
import type { CreateGroup, Group, UpdateGroup } from '../../../../../shared/schemas/groups';
import { attempt, transport, tryCall, type Outcome } from '../../../call';

interface GroupsState {
  /** Main first; null until loaded. */
  groups: Group[] | null;
  load(): Promise<void>;
  create(input: CreateGroup): Promise<Outcome<Group>>;
  update(input: UpdateGroup): Promise<Outcome<Group>>;
  remove(id: string): Promise<Outcome<unknown>>;
}

const mainFirst = (groups: Group[]) =>
  [...groups].sort((a, b) =>
    a.isMain === b.isMain ? a.name.localeCompare(b.name) : a.isMain ? -1 : 1,
  );

/** Groups, shared by Cowork (the group picker) and Settings > Container > Groups. */
export const useGroups = create<GroupsState>()((set, get) => ({
  groups: null,
  async load() {
    const result = await attempt(() => transport().call('groups.list'));
    if (result) set({ groups: mainFirst(result.groups) });
  },
  async create(input) {
    const outcome = await tryCall(() => transport().call('groups.create', input));
    if (outcome.ok) await get().load();
    return outcome;
  },
  async update(input) {
    const outcome = await tryCall(() => transport().call('groups.update', input));
    if (outcome.ok) await get().load();
    return outcome;
  },
  async remove(id) {
    const outcome = await tryCall(() => transport().call('groups.delete', { id }));
    if (outcome.ok) await get().load();
    return outcome;
  },
}));

export function onGroupsEvent(event: AnyEvent): void {
  if (event.name === 'groups.changed')
    useGroups.setState({ groups: mainFirst(event.payload.groups) });
}

/** A group by id or name (runs and sessions name their group either way). */
export function findGroup(groups: Group[] | null, ref: string): Group | undefined {
  return groups?.find((g) => g.id === ref) ?? groups?.find((g) => g.name === ref);
}
