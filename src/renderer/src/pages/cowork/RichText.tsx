import type { ReactNode } from 'react';

/** `inline code` spans of one paragraph. */
function inline(text: string): ReactNode[] {
  return text
    .split(/(`[^`\n]+`)/g)
    .map((part, i) =>
      part.length > 2 && part.startsWith('`') && part.endsWith('`') ? (
        <code key={i}>{part.slice(1, -1)}</code>
      ) : (
        part
      ),
    );
}

/**
 * The agent's text as it wrote it: line breaks kept, ``` fenced blocks as code, `spans` as
 * code. No HTML is ever interpreted.
 */
export function RichText({ text }: { text: string }) {
  const parts = text.split(/```[^\n]*\n?/);
  return (
    <div className="rich-text">
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <pre key={i} className="code-block">
            {part.replace(/\n$/, '')}
          </pre>
        ) : part.trim() ? (
          <p key={i}>{inline(part.replace(/^\n+|\n+$/g, ''))}</p>
        ) : null,
      )}
    </div>
  );
}
