import { useEffect, useState } from 'react';
import type { SchedulePreview } from '../../../../../shared/schemas/schedules';
import { transport, tryCall } from '../../../call';
import { Spinner } from '../../../components/ui';
import { fromNow, whenLocal } from '../../../format';
import type { DraftProblem } from '../groups/group-draft';
import { FieldIssues } from '../groups/FieldIssues';
import { specOf, type IntervalUnit, type ScheduleDraft, type ScheduleType } from './schedule-draft';

const CRON_EXAMPLES: { value: string; label: string }[] = [
  { value: '0 9 * * 1-5', label: 'weekdays 09:00' },
  { value: '*/15 * * * *', label: 'every 15 min' },
  { value: '0 * * * *', label: 'hourly' },
  { value: '30 18 * * 5', label: 'Fridays 18:30' },
];

const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
const ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

interface PreviewState {
  key: string;
  preview: SchedulePreview | null;
  /** The call itself failed (a value the contract refuses outright, no connection). */
  failure: string | null;
}

/**
 * The core's reading of the timing being typed, asked for 250 ms after the last keystroke. The
 * previous answer stays on screen meanwhile (with `pending`), so the preview does not flicker.
 */
function usePreview(draft: ScheduleDraft) {
  const { spec } = specOf(draft);
  const key = spec
    ? JSON.stringify({ schedule: spec, timezone: draft.timezone.trim() || null })
    : '';
  const [state, setState] = useState<PreviewState | null>(null);
  useEffect(() => {
    if (!key) return;
    let live = true;
    const timer = setTimeout(() => {
      void tryCall(() => transport().call('schedules.preview', JSON.parse(key))).then((out) => {
        if (live)
          setState(
            out.ok
              ? { key, preview: out.value, failure: null }
              : { key, preview: null, failure: out.error.message },
          );
      });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
  return { state: key ? state : null, pending: Boolean(key) && state?.key !== key };
}

type Props = {
  draft: ScheduleDraft;
  set(patch: Partial<ScheduleDraft>): void;
  disabled: boolean;
  issues: DraftProblem[];
};

/** When a schedule fires: its type, its value in a friendly form, its zone, and a live preview. */
export function TimingFields({ draft, set, disabled, issues }: Props) {
  const { state, pending } = usePreview(draft);
  const preview = state?.preview ?? null;
  const error = state?.failure ?? (preview && !preview.valid ? preview.error : null);
  // The core names the zone first when the zone is what is wrong.
  const zoneError = error?.startsWith('timezone') ? error : null;
  const valueError = zoneError ? null : error;
  const live = [
    ...(!pending && valueError ? [{ path: 'schedule.value', message: valueError }] : []),
    ...(!pending && zoneError ? [{ path: 'timezone', message: zoneError }] : []),
  ];
  // A refusal on save repeats what the preview says: show it once.
  const shown = [...issues.filter((i) => !live.some((l) => l.message === i.message)), ...live];
  const runs = preview?.valid ? preview.nextRuns : [];
  const passed =
    draft.type === 'once' && runs.length === 1 && Date.parse(runs[0] ?? '') < Date.now();

  return (
    <fieldset className="form-section">
      <legend>When</legend>
      <div className="form-row">
        <label className="schedule-type">
          <span>Repeat</span>
          <select
            data-testid="schedule-type"
            value={draft.type}
            disabled={disabled}
            onChange={(e) => set({ type: e.target.value as ScheduleType })}
          >
            <option value="cron">On a calendar (cron)</option>
            <option value="interval">Every…</option>
            <option value="once">Once</option>
          </select>
        </label>
        <label className="schedule-value">
          <span>
            {draft.type === 'cron' ? 'Cron expression' : draft.type === 'interval' ? 'Every' : 'At'}
          </span>
          {draft.type === 'cron' ? (
            <input
              data-testid="schedule-value"
              className="mono"
              placeholder="0 9 * * 1-5"
              spellCheck={false}
              value={draft.cron}
              disabled={disabled}
              onChange={(e) => set({ cron: e.target.value })}
            />
          ) : draft.type === 'interval' ? (
            <div className="input-with-button">
              <input
                type="number"
                data-testid="schedule-value"
                min={1}
                step="any"
                value={draft.every}
                disabled={disabled}
                onChange={(e) => set({ every: e.target.value })}
              />
              <select
                aria-label="Unit"
                data-testid="schedule-interval-unit"
                value={draft.unit}
                disabled={disabled}
                onChange={(e) => set({ unit: e.target.value as IntervalUnit })}
              >
                <option value="seconds">seconds</option>
                <option value="minutes">minutes</option>
                <option value="hours">hours</option>
                <option value="days">days</option>
              </select>
            </div>
          ) : (
            <input
              type="datetime-local"
              data-testid="schedule-value"
              value={draft.at}
              disabled={disabled}
              onChange={(e) => set({ at: e.target.value })}
            />
          )}
          {draft.type === 'cron' ? (
            <small className="muted cron-examples">
              minute hour day-of-month month day-of-week · try{' '}
              {CRON_EXAMPLES.map((x) => (
                <button
                  key={x.value}
                  type="button"
                  className="link-button"
                  title={x.label}
                  disabled={disabled}
                  onClick={() => set({ cron: x.value })}
                >
                  <code>{x.value}</code>
                </button>
              ))}
            </small>
          ) : draft.type === 'interval' ? (
            <small className="muted">At least 10 seconds. Counted from when you save.</small>
          ) : (
            <small className="muted">In this computer’s time ({LOCAL_ZONE}).</small>
          )}
          <FieldIssues issues={shown} path="schedule" testId="schedule-value-error" />
        </label>
      </div>
      {draft.type !== 'interval' ? (
        <label>
          <span>Time zone</span>
          <input
            data-testid="schedule-timezone"
            list="schedule-zones"
            placeholder={`System (${preview?.timezone ?? LOCAL_ZONE})`}
            value={draft.timezone}
            disabled={disabled}
            onChange={(e) => set({ timezone: e.target.value })}
          />
          <datalist id="schedule-zones">
            {ZONES.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <small className="muted">
            An IANA name such as Europe/Berlin; empty uses the system’s zone.
          </small>
          <FieldIssues issues={shown} path="timezone" testId="schedule-timezone-error" />
        </label>
      ) : null}
      <div className="schedule-preview" data-testid="schedule-preview" aria-live="polite">
        {!preview?.valid ? (
          <span className="muted">
            {pending ? <Spinner /> : null}{' '}
            {pending
              ? 'Reading the schedule…'
              : 'The next runs show here once the timing is valid.'}
          </span>
        ) : (
          <>
            <div className="schedule-preview-head">
              <strong data-testid="schedule-preview-description">{preview.description}</strong>
              {pending ? <Spinner /> : null}
            </div>
            <ol className="schedule-preview-runs">
              {runs.map((t) => (
                <li key={t} data-testid="schedule-preview-run">
                  <time dateTime={t}>{whenLocal(t)}</time>
                  <span className="muted">{fromNow(t)}</span>
                </li>
              ))}
            </ol>
            {passed ? (
              <small className="field-error">
                This time has passed: the schedule would run once, as soon as it is saved.
              </small>
            ) : (
              <small className="muted">Next runs in this computer’s time ({LOCAL_ZONE}).</small>
            )}
          </>
        )}
      </div>
    </fieldset>
  );
}
