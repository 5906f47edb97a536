import type { RunRecord, TranscriptItem } from '../../../shared/schemas/sessions';

/**
 * What a chat should get when an agent's run for it ends: an agent that answered in plain text
 * (and sent nothing to the chat with send_message) has that answer delivered; a run that failed
 * or timed out says so in one line. A run the user stopped says nothing.
 */
export function chatReplyForRun(
  run: Pick<RunRecord, 'status' | 'startedAt' | 'error'>,
  transcript: TranscriptItem[],
  chatJid: string,
): string | null {
  const during = transcript.filter((item) => item.time >= run.startedAt);
  if (run.status === 'cancelled') return null;
  if (run.status === 'failed' || run.status === 'timeout')
    return `The agent could not finish (${run.status === 'timeout' ? 'it ran out of time' : (run.error ?? 'it failed')}). Try again, or look at the session in aigo.`;
  const sentHere = during.some(
    (item) => item.kind === 'message' && item.chatJid === chatJid && item.status !== 'refused',
  );
  if (sentHere) return null;
  const answer = [...during].reverse().find((item) => item.kind === 'assistant');
  const text = answer?.kind === 'assistant' ? answer.text.trim() : '';
  return text || null;
}
