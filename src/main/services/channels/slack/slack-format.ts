/**
 * An agent's Markdown as Slack mrkdwn: **bold** → *bold*, [text](url) → <url|text>, and the
 * three characters Slack reserves (&, <, >) escaped so text never turns into a mention or a
 * link by accident. Code spans and blocks keep their backticks (Slack reads them as code).
 */
export function toSlackMrkdwn(markdown: string): string {
  return markdown
    .split(/(```[\s\S]*?```|`[^`\n]+`)/g)
    .map((part, i) => {
      const escaped = part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      if (i % 2 === 1) return escaped;
      return escaped
        .replace(/\*\*([^*\n]+)\*\*/g, '*$1*')
        .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, '<$2|$1>');
    })
    .join('');
}
