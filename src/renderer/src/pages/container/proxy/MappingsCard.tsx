import { useState } from 'react';
import type { ProxyMappingView, ProxyView } from '../../../../../shared/schemas/proxy';
import { Badge, Card, Spinner } from '../../../components/ui';
import { useApp } from '../../../store';
import { MappingForm } from './MappingForm';
import { useProxy } from './proxy-store';

const AUTH_TEXT = { 'x-api-key': 'x-api-key', bearer: 'Bearer', header: 'header' } as const;

function keyText(mapping: ProxyMappingView): string {
  if (mapping.auth.type === 'none') return 'no key (the upstream takes none)';
  const how = mapping.auth.type === 'header' ? mapping.auth.header : AUTH_TEXT[mapping.auth.type];
  return `key ${mapping.keyLast4 ?? 'missing'} as ${how}`;
}

function TestResult({ id }: { id: string }) {
  const result = useProxy((s) => s.tests[id]);
  if (!result) return null;
  if (result === 'running') return <Spinner />;
  const tone =
    result.result === 'reachable' ? 'ok' : result.result === 'key_rejected' ? 'warn' : 'bad';
  const label = {
    reachable: 'Key accepted',
    key_rejected: 'Key rejected',
    unreachable: 'Unreachable',
    error: 'Error',
  }[result.result];
  return (
    <div className="test-result" data-testid="mapping-test-result">
      <Badge tone={tone}>{label}</Badge> <span>{result.message}</span>
    </div>
  );
}

function MappingRow({ mapping, onEdit }: { mapping: ProxyMappingView; onEdit(): void }) {
  const test = useProxy((s) => s.test);
  const remove = useProxy((s) => s.deleteMapping);
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  return (
    <li className="row mapping" data-testid="mapping">
      <div className="row-main">
        <strong>{mapping.name}</strong>
        <code>{mapping.upstreamUrl}</code>
        <span className="muted">
          {mapping.placeholder} → {keyText(mapping)}
          {mapping.lastStatus ? ` · last answer ${mapping.lastStatus}` : ''}
        </span>
        <TestResult id={mapping.id} />
      </div>
      <button
        type="button"
        className="button small"
        disabled={!canMutate}
        onClick={() => void test(mapping.id)}
        data-testid="mapping-test"
      >
        Test
      </button>
      <button type="button" className="button small" disabled={!canMutate} onClick={onEdit}>
        Edit
      </button>
      <button
        type="button"
        className="button small"
        disabled={!canMutate}
        onClick={() => {
          if (window.confirm(`Remove the mapping "${mapping.name}" and its key?`))
            void remove(mapping.id);
        }}
      >
        Remove
      </button>
    </li>
  );
}

export function MappingsCard({ view }: { view: ProxyView }) {
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [editing, setEditing] = useState<ProxyMappingView | 'new' | null>(null);
  return (
    <Card
      title="Credential mappings"
      testId="mappings"
      actions={
        <button
          type="button"
          className="button"
          disabled={!canMutate || editing !== null}
          onClick={() => setEditing('new')}
          data-testid="mapping-add"
        >
          Add mapping
        </button>
      }
    >
      <p className="muted">
        Each mapping says which upstream a placeholder stands for and holds its real key.
      </p>
      {view.mappings.length === 0 && editing === null ? (
        <p className="empty">
          No mappings: containers cannot call any API yet. Add one with your Anthropic key.
        </p>
      ) : null}
      <ul className="rows">
        {view.mappings.map((m) =>
          editing !== 'new' && editing?.id === m.id ? (
            <li key={m.id}>
              <MappingForm view={view} editing={m} onDone={() => setEditing(null)} />
            </li>
          ) : (
            <MappingRow key={m.id} mapping={m} onEdit={() => setEditing(m)} />
          ),
        )}
      </ul>
      {editing === 'new' ? (
        <MappingForm view={view} editing={null} onDone={() => setEditing(null)} />
      ) : null}
    </Card>
  );
}
