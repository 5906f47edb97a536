import type { Group } from '../../../shared/schemas/groups';

/** The groups to choose from (their descriptions beside their names), or "Loading groups…". */
export function GroupSelect(props: {
  groups: Group[] | null;
  value: string;
  onChange: (groupId: string) => void;
  testId: string;
  name?: string;
}) {
  return (
    <select
      {...(props.name ? { name: props.name } : {})}
      data-testid={props.testId}
      value={props.value}
      disabled={!props.groups}
      onChange={(e) => props.onChange(e.target.value)}
    >
      {!props.groups ? <option value="">Loading groups…</option> : null}
      {props.groups?.map((g) => (
        <option key={g.id} value={g.id}>
          {g.name}
          {g.description ? ` — ${g.description}` : ''}
        </option>
      ))}
    </select>
  );
}
