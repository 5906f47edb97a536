/**
 * An agent's Markdown as Telegram HTML (the parse mode with the simplest escaping): fenced code
 * blocks, inline code, **bold**, *italic* or _italic_, [links](https://…). Everything else is
 * escaped text, so what the platform may still refuse is rare; then the channel sends plain text.
 */
export function toTelegramHtml(markdown: string): string {
  const escape = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out: string[] = [];
  const fence = /```[^\n]*\n([\s\S]*?)```/g;
  let last = 0;
  for (const match of markdown.matchAll(fence)) {
    out.push(inline(markdown.slice(last, match.index), escape));
    out.push(`<pre>${escape(match[1]!.replace(/\n$/, ''))}</pre>`);
    last = match.index + match[0].length;
  }
  out.push(inline(markdown.slice(last), escape));
  return out.join('');
}

function inline(text: string, escape: (s: string) => string): string {
  // Inline code first: nothing inside it is formatting.
  return text
    .split(/(`[^`\n]+`)/g)
    .map((part) =>
      part.startsWith('`') && part.endsWith('`') && part.length > 2
        ? `<code>${escape(part.slice(1, -1))}</code>`
        : escape(part)
            .replace(/\*\*([^*\n]+)\*\*/g, '<b>$1</b>')
            .replace(/(^|[\s(])\*([^*\n]+)\*(?=[\s).,!?:;]|$)/g, '$1<i>$2</i>')
            .replace(/(^|[\s(])_([^_\n]+)_(?=[\s).,!?:;]|$)/g, '$1<i>$2</i>')
            .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s"]+)\)/g, '<a href="$2">$1</a>'),
    )
    .join('');
}
