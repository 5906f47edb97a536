import { useState } from 'react';
import type { ErrorInfo } from '../call';
import { isSubmitKey, SUBMIT_HINT } from '../pages/cowork/Composer';
import { ErrorBox, Spinner } from './ui';

/**
 * A message to an agent (or a squad of them): a text box that sends with the submit key or its
 * button, shows why a send was refused, and clears once the message went through.
 */
export function MessageBox(props: {
  /** `<testId>-input`, `<testId>-send`, `<testId>-error`. */
  testId: string;
  ariaLabel: string;
  placeholder: string;
  /** Whether this window may change anything (it has the token and a connection). */
  canEdit: boolean;
  /** Sending is not possible right now, though typing is. */
  blocked?: boolean;
  busy: boolean;
  error: ErrorInfo | null;
  sendLabel: string;
  /** True once the message went through. */
  send: (text: string) => Promise<boolean>;
}) {
  const [text, setText] = useState('');
  const disabled = !props.canEdit || props.blocked === true || props.busy || text.trim() === '';
  const submit = async () => {
    if (disabled) return;
    if (await props.send(text)) setText('');
  };
  return (
    <form
      className="steer"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <ErrorBox error={props.error} testId={`${props.testId}-error`} />
      <div className="steer-row">
        <textarea
          data-testid={`${props.testId}-input`}
          aria-label={props.ariaLabel}
          rows={2}
          placeholder={props.placeholder}
          value={text}
          disabled={!props.canEdit}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (isSubmitKey(e)) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <button
          type="submit"
          className="button primary"
          data-testid={`${props.testId}-send`}
          disabled={disabled}
          title={`${SUBMIT_HINT} sends`}
        >
          {props.busy ? <Spinner /> : null} {props.sendLabel}
        </button>
      </div>
    </form>
  );
}
