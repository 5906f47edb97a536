import type { DraftProblem, GroupDraft } from './group-draft';
import { FieldIssues } from './FieldIssues';

type Props = {
  draft: GroupDraft;
  set(patch: Partial<GroupDraft>): void;
  disabled: boolean;
  issues: DraftProblem[];
};

/** The group's container: image, time limits, memory, CPUs and the few allowed run options. */
export function ContainerFields({ draft, set, disabled, issues }: Props) {
  const num = (
    key: 'timeoutSecs' | 'idleTimeoutSecs' | 'memoryMb' | 'cpus',
    label: string,
    hint: string,
    extra: { step?: number | 'any'; min?: number; placeholder?: string } = {},
  ) => (
    <label>
      <span>{label}</span>
      <input
        type="number"
        data-testid={`group-${key}`}
        value={draft[key]}
        disabled={disabled}
        step={extra.step ?? 1}
        min={extra.min ?? 0}
        placeholder={extra.placeholder}
        onChange={(e) => set({ [key]: e.target.value })}
      />
      <small className="muted">{hint}</small>
      <FieldIssues issues={issues} path={`containerConfig.${key}`} />
    </label>
  );
  return (
    <fieldset className="form-section">
      <legend>Container</legend>
      <label>
        <span>Image</span>
        <input
          data-testid="group-image"
          placeholder="aigo-agent-runner:latest (the agent image)"
          value={draft.image}
          disabled={disabled}
          onChange={(e) => set({ image: e.target.value })}
        />
        <small className="muted">Leave empty for the agent image aigo builds.</small>
        <FieldIssues issues={issues} path="containerConfig.image" />
      </label>
      <div className="form-row">
        {num('timeoutSecs', 'Time limit (s)', 'Per container run; 0 = no limit.')}
        {num('idleTimeoutSecs', 'Idle timeout (s)', 'Wait this long for a follow-up.', {
          min: 10,
          placeholder: 'none: exit when done',
        })}
      </div>
      <div className="form-row">
        {num('memoryMb', 'Memory (MiB)', '128 – 65,536.', { min: 128, step: 128 })}
        {num('cpus', 'CPUs', '0.1 – 64.', { min: 0.1, step: 'any' })}
      </div>
      <label>
        <span>Extra run options</span>
        <textarea
          data-testid="group-run-args"
          rows={2}
          placeholder={'--pids-limit=512\n--shm-size=1g'}
          value={draft.extraRunArgs}
          disabled={disabled}
          onChange={(e) => set({ extraRunArgs: e.target.value })}
        />
        <small className="muted">
          One per line. Only --memory, --memory-swap, --cpus, --pids-limit and --shm-size are
          accepted; anything that widens what the container can do is refused and audited.
        </small>
        <FieldIssues issues={issues} path="containerConfig.extraRunArgs" />
      </label>
    </fieldset>
  );
}
