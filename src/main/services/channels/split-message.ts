/**
 * Splits a reply into platform-sized messages: at a paragraph break if one falls in the last
 * half of the window, else at a sentence end, else at a space, else (one long word) at the
 * limit. Each part is at most `limit` characters (UTF-16 units, as the platforms count) and
 * never splits a surrogate pair.
 */
export function splitMessage(text: string, limit: number): string[] {
  if (limit < 1) throw new Error('limit must be at least 1');
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    const cut = breakPoint(window, limit);
    const head = rest.slice(0, cut).trimEnd();
    parts.push(head || rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts;
}

function breakPoint(window: string, limit: number): number {
  const floor = Math.floor(limit / 2);
  const paragraph = window.lastIndexOf('\n\n', limit);
  if (paragraph >= floor) return paragraph;
  let sentence = -1;
  for (const match of window.slice(0, limit + 1).matchAll(/[.!?…](?=\s)/g))
    if (match.index + 1 <= limit) sentence = match.index + 1;
  if (sentence >= floor) return sentence;
  const line = window.lastIndexOf('\n', limit);
  if (line >= floor) return line;
  const space = window.lastIndexOf(' ', limit);
  if (space > 0) return space;
  // One unbroken run: cut at the limit, but not between the halves of a surrogate pair.
  const code = window.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}
