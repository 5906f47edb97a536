import { useEffect, useRef } from 'react';
import type { ImageStatus } from '../../../../../shared/schemas/image';
import { Badge, Card, Field, Spinner, Toggle } from '../../../components/ui';
import { useApp } from '../../../store';
import type { AnyEvent } from '../../../../../shared/contract';
import { useDraft } from '../../../use-draft';
import { useLive } from '../../../use-live';
import { useImage } from './image-store';
import { imageView } from './image-view';
import { formatBytes } from '../../../../../shared/format-bytes';

const size = (bytes: number | null) => (bytes === null ? '—' : formatBytes(bytes));

function BuildOutput({ output, open }: { output: string; open: boolean }) {
  const ref = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, [output]);
  if (!output) return null;
  return (
    <details open={open} className="build-output">
      <summary>Build output</summary>
      <pre ref={ref} data-testid="image-output">
        {output}
      </pre>
    </details>
  );
}

function ImageStatusCard({ status }: { status: ImageStatus }) {
  const rebuild = useImage((s) => s.rebuild);
  const cancel = useImage((s) => s.cancel);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const runtimeOk = useApp((s) => s.runtime?.available ?? false);
  const building = status.state === 'building';
  const view = imageView(status, runtimeOk);
  const last = status.lastBuild;
  return (
    <Card
      title="Agent image"
      testId="image-card"
      actions={
        building ? (
          <button
            type="button"
            className="button"
            onClick={() => void cancel()}
            disabled={!canMutate}
            data-testid="image-cancel"
          >
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="button primary"
            onClick={() => void rebuild()}
            disabled={!canMutate || !runtimeOk}
            data-testid="image-rebuild"
          >
            Rebuild Image
          </button>
        )
      }
    >
      {status.state === 'outdated' ? (
        <div className="banner warning" data-testid="image-outdated">
          This image was built by another version of aigo. Rebuild it so agents get the tools they
          expect.
        </div>
      ) : null}
      <Field label="State">
        <Badge tone={view.imageTone} testId="image-state">
          {view.image}
        </Badge>
        {building ? <Spinner /> : null}
      </Field>
      <Field label="Last build">
        <Badge tone={view.lastBuildTone} testId="image-last-build">
          {view.lastBuild}
        </Badge>
        {last ? <span className="muted"> {new Date(last.finishedAt).toLocaleString()}</span> : null}
      </Field>
      <Field label="Image">
        <code>{status.image}</code>
      </Field>
      <Field label="Size">{size(status.sizeBytes)}</Field>
      <Field label="Built">
        {status.builtAt ? new Date(status.builtAt).toLocaleString() : '—'}
      </Field>
      <Field label="Built by aigo">{status.appVersion ?? '—'}</Field>
      {building && status.progress ? (
        <div className="progress" data-testid="image-progress">
          <div className="progress-bar">
            <div className="progress-fill" style={{ width: `${status.progress.percent}%` }} />
          </div>
          <div className="muted">
            {status.progress.totalSteps
              ? `Step ${status.progress.step} of ${status.progress.totalSteps} · `
              : ''}
            {status.progress.percent}% · <code>{status.progress.currentLine.slice(0, 120)}</code>
          </div>
        </div>
      ) : null}
      {status.error ? (
        <p className="problem" data-testid="image-error">
          {status.error}
        </p>
      ) : null}
      {status.hint ? (
        <p className="problem warn" data-testid="image-hint">
          {status.hint}
        </p>
      ) : null}
      {!runtimeOk ? (
        <p className="muted">Start the container runtime first (Runtime tab).</p>
      ) : null}
      <BuildOutput output={status.output} open={building || last?.outcome === 'failed'} />
    </Card>
  );
}

function BuildSettingsCard() {
  const image = useApp((s) => s.settings?.image);
  const update = useApp((s) => s.updateSettings);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const { draft: baseImage, setDraft: setBaseImage } = useDraft(image?.baseImage ?? '');
  if (!image) return null;
  return (
    <Card title="Build settings">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void update({ image: { baseImage } });
        }}
      >
        <label>
          <span>Base image</span>
          <input
            aria-label="Base image"
            value={baseImage}
            onChange={(e) => setBaseImage(e.target.value)}
            disabled={!canMutate}
          />
          <small className="muted">
            Any Debian-based image with Node.js 20 or newer. Default node:22-slim.
          </small>
        </label>
        <Toggle
          label="Install tools: git, curl, python3, ripgrep and jq (needs a package mirror)"
          testId="image-install-tools"
          checked={image.installTools}
          disabled={!canMutate}
          onChange={(installTools) => void update({ image: { installTools } })}
        />
        <div className="form-actions">
          <button
            type="submit"
            className="button"
            disabled={!canMutate || baseImage === image.baseImage}
            data-testid="image-settings-save"
          >
            Save
          </button>
        </div>
      </form>
    </Card>
  );
}

function onImageEvent(event: AnyEvent): void {
  if (event.name === 'image.changed') useImage.getState().set(event.payload);
}

export function ImageSection() {
  const status = useImage((s) => s.status);
  const load = useImage((s) => s.load);
  useLive(load, onImageEvent);
  if (!status) return <p>Loading…</p>;
  return (
    <>
      <ImageStatusCard status={status} />
      <BuildSettingsCard />
    </>
  );
}
