import { useEffect, useState } from 'react';
import type { ChannelStatus } from '../../../../shared/schemas/channels';
import type { Group } from '../../../../shared/schemas/groups';
import { transport, tryCall, type ErrorInfo } from '../../call';
import { Card } from '../../components/ui';
import { useApp } from '../../store';

/** The chats that wrote in, each with the group whose agent answers it ("map to group"). */
export function ChatsCard({
  status,
  onChange,
}: {
  status: ChannelStatus;
  onChange: (next: ChannelStatus) => void;
}) {
  const canMutate = useApp((s) => s.transport?.canMutate() ?? false);
  const [groups, setGroups] = useState<Group[]>([]);
  const [error, setError] = useState<ErrorInfo | null>(null);
  useEffect(() => {
    void tryCall(() => transport().call('groups.list')).then((o) => {
      if (o.ok) setGroups(o.value.groups);
    });
  }, [status.chats.length]);
  const map = async (jid: string, group: string | null) => {
    setError(null);
    const outcome = await tryCall(() =>
      transport().call('channels.mapChat', { name: status.name, jid, group }),
    );
    if (outcome.ok) onChange(outcome.value);
    else setError(outcome.error);
  };
  return (
    <Card title="Chats" testId="channel-chats">
      {status.chats.length === 0 ? (
        <p className="muted">
          No chat has written in yet. Send the bot a message; the chat shows here to map.
        </p>
      ) : (
        <ul className="rows">
          {status.chats.map((chat) => (
            <li key={chat.jid} className="row" data-testid="channel-chat">
              <div className="row-main">
                <strong>{chat.title}</strong> <code>{chat.jid}</code>
                <span className="muted">
                  {chat.kind === 'direct' ? 'direct chat' : 'group chat'} · last message{' '}
                  {new Date(chat.lastMessageAt).toLocaleString()}
                </span>
              </div>
              <label>
                <span className="sr-only">Group for {chat.title}</span>
                <select
                  aria-label={`Group for ${chat.jid}`}
                  data-testid="chat-group"
                  value={groups.find((g) => g.name === chat.group)?.id ?? ''}
                  disabled={!canMutate}
                  onChange={(e) => void map(chat.jid, e.target.value || null)}
                >
                  <option value="">Not mapped (ignored)</option>
                  {groups.map((g) => (
                    <option key={g.id} value={g.id}>
                      {g.name}
                    </option>
                  ))}
                </select>
              </label>
            </li>
          ))}
        </ul>
      )}
      {error ? <p className="problem bad">{error.message}</p> : null}
    </Card>
  );
}
