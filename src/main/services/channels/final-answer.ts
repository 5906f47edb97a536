import type { Group } from '../../../shared/schemas/groups';
import type { RunRecord, SessionDetail, TranscriptItem } from '../../../shared/schemas/sessions';
import type { MessageRouter } from '../sessions/message-router';

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

/** A run for a chat ended: its plain-text answer (or its failure) goes to the chat, once. */
export async function answerRunInChat(
  run: RunRecord,
  deps: {
    session: (id: string) => Promise<SessionDetail>;
    groups: () => Group[];
    delivery: MessageRouter;
  },
): Promise<void> {
  const session = await deps.session(run.session);
  if (!session.chatJid) return;
  const reply = chatReplyForRun(run, session.transcript, session.chatJid);
  const group = deps.groups().find((g) => g.id === session.group);
  if (!reply || !group) return;
  // Keyed by the run: a run recorded again after a restart is not answered twice.
  await deps.delivery.deliver({
    id: `run-${run.id}`,
    group,
    session: session.id,
    chatJid: session.chatJid,
    text: reply,
  });
}
