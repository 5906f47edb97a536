import type { TranscriptItem } from '../../../../shared/schemas/sessions';
import { Badge, Spinner } from '../../components/ui';
import { clock, duration } from '../../format';
import { RichText } from './RichText';
import { toolArg, toolPreview } from './transcript';

type Of<K extends TranscriptItem['kind']> = Extract<TranscriptItem, { kind: K }>;

function Meta({ who, time, extra }: { who: string; time: string; extra?: string }) {
  return (
    <div className="t-meta">
      <strong>{who}</strong>
      {extra ? <span className="muted">{extra}</span> : null}
      <time className="muted" dateTime={time}>
        {clock(time)}
      </time>
    </div>
  );
}

function ToolStatus({ status }: { status: Of<'tool'>['status'] }) {
  if (status === 'running') return <Spinner />;
  return (
    <span className={`t-tool-mark ${status}`} aria-label={status}>
      {status === 'ok' ? '✓' : '✕'}
    </span>
  );
}

function ToolCall({ item }: { item: Of<'tool'> }) {
  const path = item.tool === 'write_file' ? toolArg(item.input, 'path') : null;
  return (
    <details className={`t-tool ${item.status}${path ? ' t-file' : ''}`}>
      <summary>
        <ToolStatus status={item.status} />
        {path ? (
          <>
            <span className="t-file-label">
              {item.status === 'error' ? 'Could not write' : 'Wrote'}
            </span>
            <code className="t-file-path" data-testid="written-file">
              {path}
            </code>
          </>
        ) : (
          <>
            <span className="t-tool-name">{item.tool}</span>
            <span className="t-tool-preview">{toolPreview(item.tool, item.input)}</span>
          </>
        )}
        <span className="t-tool-time muted">
          {item.status === 'running' ? 'running…' : item.ms === null ? '' : duration(item.ms)}
        </span>
      </summary>
      <div className="t-tool-body">
        <div className="muted">Input</div>
        <pre>{item.input || '(none)'}</pre>
        <div className="muted">{item.status === 'error' ? 'Error' : 'Output'}</div>
        <pre className={item.status === 'error' ? 'bad' : ''}>
          {item.output ?? (item.status === 'running' ? 'Running…' : '(no output)')}
        </pre>
      </div>
    </details>
  );
}

const MESSAGE_STATUS = {
  delivered: { label: 'Delivered', tone: 'ok' },
  kept: { label: 'Kept', tone: 'muted' },
  refused: { label: 'Blocked', tone: 'bad' },
  failed: { label: 'Not delivered', tone: 'bad' },
} as const;

/** A refusal by aigo's security checks, shown as such. */
function SecurityBlock({ what, detail }: { what: string; detail: string | null }) {
  return (
    <div className="t-blocked" data-testid="security-block">
      <strong>Blocked by aigo: {what}</strong>
      {detail ? <div>{detail}</div> : null}
    </div>
  );
}

function Message({ item }: { item: Of<'message'> }) {
  const status = MESSAGE_STATUS[item.status];
  return (
    <div className={`t-card${item.status === 'refused' ? ' refused' : ''}`}>
      <div className="t-meta">
        <strong>Message to</strong> <code>{item.chatJid}</code>
        <Badge tone={status.tone}>{status.label}</Badge>
        <time className="muted" dateTime={item.time}>
          {clock(item.time)}
        </time>
      </div>
      <div className="t-quote">{item.text}</div>
      {item.status === 'refused' ? (
        <SecurityBlock what="this message was not sent" detail={item.detail} />
      ) : item.detail ? (
        <div className="muted">{item.detail}</div>
      ) : null}
    </div>
  );
}

function Task({ item }: { item: Of<'task'> }) {
  return (
    <div className={`t-card${item.status === 'refused' ? ' refused' : ''}`}>
      <div className="t-meta">
        <strong>Task</strong> <code>{item.taskType}</code>
        <Badge tone={item.status === 'refused' ? 'bad' : 'ok'}>
          {item.status === 'refused' ? 'Blocked' : 'Kept'}
        </Badge>
        <time className="muted" dateTime={item.time}>
          {clock(item.time)}
        </time>
      </div>
      <div className="t-quote">{item.summary}</div>
      {item.status === 'refused' ? (
        <SecurityBlock what="this task was not scheduled" detail={item.detail} />
      ) : item.detail ? (
        <div className="muted">{item.detail}</div>
      ) : null}
    </div>
  );
}

function Body({ item }: { item: TranscriptItem }) {
  switch (item.kind) {
    case 'user':
      return (
        <div className="t-bubble">
          <Meta who="You" time={item.time} extra={item.source === 'steering' ? 'steering' : ''} />
          <div className="t-text">{item.text}</div>
        </div>
      );
    case 'assistant':
      return (
        <>
          <Meta who="Agent" time={item.time} extra={item.turn ? `turn ${item.turn}` : ''} />
          <RichText text={item.text} />
        </>
      );
    case 'tool':
      return <ToolCall item={item} />;
    case 'message':
      return <Message item={item} />;
    case 'task':
      return <Task item={item} />;
    case 'status':
      return (
        <div className={`t-status ${item.level}`}>
          <span>{item.text}</span>
          <time dateTime={item.time}>{clock(item.time)}</time>
        </div>
      );
  }
}

export function TranscriptItemView({ item }: { item: TranscriptItem }) {
  const source = item.kind === 'user' ? ` ${item.source}` : '';
  return (
    <li
      className={`t-item t-${item.kind}${source}`}
      data-testid="transcript-item"
      data-kind={item.kind}
    >
      <Body item={item} />
    </li>
  );
}
