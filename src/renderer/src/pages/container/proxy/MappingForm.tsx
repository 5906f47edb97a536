import { useRef, useState } from 'react';
import {
  PROXY_PLACEHOLDER,
  type ProxyAuth,
  type ProxyMappingView,
  type ProxyView,
} from '../../../../../shared/schemas/proxy';
import type { ErrorInfo } from '../../../call';
import { FieldError, fieldIssue, FormError, useRevealError } from '../../../components/form-errors';
import { useProxy } from './proxy-store';

const FIELDS = ['name', 'upstreamUrl', 'auth.header', 'placeholder', 'apiKey'];

type Kind = ProxyMappingView['kind'];

/** Scheme, host and port; null while the URL is not a URL yet. */
function originOf(url: string): string | null {
  try {
    return new URL(url.trim()).origin;
  } catch {
    return null;
  }
}

/** Add or edit a mapping. Keys are write-only: editing shows none and only replaces. */
export function MappingForm({
  view,
  editing,
  onDone,
}: {
  view: ProxyView;
  editing: ProxyMappingView | null;
  onDone(): void;
}) {
  const createMapping = useProxy((s) => s.createMapping);
  const updateMapping = useProxy((s) => s.updateMapping);
  const [name, setName] = useState(editing?.name ?? 'Anthropic');
  const [kind, setKind] = useState<Kind>(editing?.kind ?? 'anthropic');
  const [upstreamUrl, setUpstreamUrl] = useState(
    editing?.upstreamUrl ?? 'https://api.anthropic.com',
  );
  const [authType, setAuthType] = useState<ProxyAuth['type']>(editing?.auth.type ?? 'x-api-key');
  const [header, setHeader] = useState(editing?.auth.type === 'header' ? editing.auth.header : '');
  const [placeholder, setPlaceholder] = useState(
    editing?.placeholder ?? (view.mappings.length === 0 ? PROXY_PLACEHOLDER : ''),
  );
  const [apiKey, setApiKey] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useRevealError(formRef, error);

  const [keyHint, setKeyHint] = useState(
    view.presets.find((p) => p.id === 'anthropic')?.keyHint ?? 'The real API key',
  );
  const applyPreset = (id: string) => {
    const preset = view.presets.find((p) => p.id === id);
    if (!preset) return;
    setKeyHint(preset.keyHint);
    setName(preset.name);
    setKind(preset.kind);
    setUpstreamUrl(preset.upstreamUrl);
    setAuthType(preset.auth.type);
  };
  const auth: ProxyAuth = authType === 'header' ? { type: 'header', header } : { type: authType };
  // A key is bound to the upstream origin it was entered for: moving it elsewhere needs the key.
  const newOrigin = originOf(upstreamUrl);
  const originChanged =
    editing !== null && newOrigin !== null && newOrigin !== originOf(editing.upstreamUrl);
  const keyless = authType === 'none';
  // Going from no key to one: there is no key to keep.
  const keyNeeded = !editing || originChanged || editing.auth.type === 'none';
  const keyMissing = !keyless && apiKey.trim() === '' && keyNeeded;

  const submit = async () => {
    setSaving(true);
    const common = {
      name,
      kind,
      upstreamUrl,
      auth,
      ...(placeholder.trim() ? { placeholder: placeholder.trim() } : {}),
    };
    setError(null);
    const refused = editing
      ? await updateMapping({
          id: editing.id,
          ...common,
          ...(apiKey && !keyless ? { apiKey } : {}),
        })
      : await createMapping({ ...common, ...(keyless ? {} : { apiKey }) });
    setSaving(false);
    if (refused) setError(refused);
    else onDone();
  };

  return (
    <form
      className="form mapping-form"
      data-testid="mapping-form"
      ref={formRef}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {!editing ? (
        <label>
          <span>Preset</span>
          <select
            aria-label="Preset"
            defaultValue="anthropic"
            onChange={(e) => applyPreset(e.target.value)}
          >
            {view.presets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <div className="form-row">
        <label>
          <span>Name</span>
          <input
            aria-label="Mapping name"
            name="name"
            aria-invalid={Boolean(fieldIssue(error, 'name'))}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <FieldError error={error} name="name" />
        </label>
        <label>
          <span>Upstream URL</span>
          <input
            aria-label="Upstream URL"
            name="upstreamUrl"
            aria-invalid={Boolean(fieldIssue(error, 'upstreamUrl'))}
            value={upstreamUrl}
            onChange={(e) => setUpstreamUrl(e.target.value)}
          />
          <FieldError error={error} name="upstreamUrl" />
        </label>
      </div>
      <div className="form-row">
        <label>
          <span>Send the key as</span>
          <select
            aria-label="Send the key as"
            name="auth.type"
            value={authType}
            onChange={(e) => setAuthType(e.target.value as ProxyAuth['type'])}
          >
            <option value="none">No key (a local model server such as Ollama)</option>
            <option value="x-api-key">x-api-key header (Anthropic)</option>
            <option value="bearer">Authorization: Bearer (OpenAI-compatible)</option>
            <option value="header">Another header</option>
          </select>
        </label>
        {authType === 'header' ? (
          <label>
            <span>Header name</span>
            <input
              aria-label="Header name"
              name="auth.header"
              aria-invalid={Boolean(fieldIssue(error, 'auth.header'))}
              value={header}
              onChange={(e) => setHeader(e.target.value)}
            />
            <FieldError error={error} name="auth.header" />
          </label>
        ) : null}
        <label>
          <span>Placeholder</span>
          <input
            aria-label="Placeholder"
            name="placeholder"
            aria-invalid={Boolean(fieldIssue(error, 'placeholder'))}
            placeholder={PROXY_PLACEHOLDER}
            value={placeholder}
            onChange={(e) => setPlaceholder(e.target.value)}
          />
          <FieldError error={error} name="placeholder" />
        </label>
      </div>
      {keyless ? (
        <p className="muted" data-testid="mapping-no-key">
          {editing?.hasKey
            ? 'Saving deletes the key stored for this mapping: requests go out with no credential.'
            : 'Requests go out with no credential: the container’s placeholder is removed and no key is added.'}
        </p>
      ) : (
        <label>
          <span>
            {!editing
              ? 'Real API key'
              : originChanged
                ? 'Enter the API key again'
                : 'Replace the API key'}
          </span>
          <input
            aria-label="Real API key"
            name="apiKey"
            aria-invalid={Boolean(fieldIssue(error, 'apiKey'))}
            type="password"
            autoComplete="off"
            required={keyNeeded}
            placeholder={
              !keyNeeded && editing
                ? `Leave empty to keep the current key (${editing.keyLast4 ?? 'none'})`
                : keyHint
            }
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
          />
          <FieldError error={error} name="apiKey" />
          {originChanged ? (
            <small className="problem warn" data-testid="mapping-key-again">
              The upstream moves to {newOrigin}. A key is only sent to the upstream it was entered
              for, so enter the API key for {newOrigin} again (changing only the path keeps it).
            </small>
          ) : null}
          <small className="muted">
            Stored on this machine only and never shown again; containers see only the placeholder.
          </small>
        </label>
      )}
      <FormError error={error} fields={FIELDS} testId="mapping-error" />
      <div className="form-actions">
        <button
          type="submit"
          className="button primary"
          disabled={saving || keyMissing}
          data-testid="mapping-save"
        >
          {editing ? 'Save mapping' : 'Add mapping'}
        </button>
        <button type="button" className="button ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
