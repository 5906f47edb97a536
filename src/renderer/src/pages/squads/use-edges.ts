import { useLayoutEffect, useState, type RefObject } from 'react';

/** A dependency drawn from the card it needs (`from`) to the card that needs it (`to`). */
export interface Edge {
  from: string;
  to: string;
  path: string;
  /** Where it meets the card that needs it. */
  end: { x: number; y: number };
}

interface Drawing {
  edges: Edge[];
  width: number;
  height: number;
}

/**
 * Curves between cards, in the box's own coordinates (scrolled content included), measured
 * after layout and again whenever the box or a card changes size (a reason appears, the window
 * narrows). `links` are `[from, to]` pairs of card keys.
 */
export function useEdges(
  box: RefObject<HTMLElement | null>,
  cards: RefObject<Map<string, HTMLElement>>,
  links: [string, string][],
): Drawing {
  const [drawing, setDrawing] = useState<Drawing>({ edges: [], width: 0, height: 0 });
  // By value: a new array with the same pairs must not measure again.
  const linksKey = JSON.stringify(links);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const pairs = JSON.parse(linksKey) as [string, string][];
    const measure = () => {
      const origin = el.getBoundingClientRect();
      const at = (key: string) => {
        const r = cards.current.get(key)?.getBoundingClientRect();
        if (!r) return null;
        const left = r.left - origin.left + el.scrollLeft;
        const top = r.top - origin.top + el.scrollTop;
        return { left, right: left + r.width, middle: top + r.height / 2 };
      };
      const edges = pairs.flatMap(([from, to]) => {
        const a = at(from);
        const b = at(to);
        if (!a || !b) return [];
        const bend = Math.max(20, (b.left - a.right) / 2);
        const path = `M${a.right},${a.middle} C${a.right + bend},${a.middle} ${b.left - bend},${b.middle} ${b.left},${b.middle}`;
        return [{ from, to, path, end: { x: b.left, y: b.middle } }];
      });
      setDrawing({ edges, width: el.scrollWidth, height: el.scrollHeight });
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    for (const card of cards.current.values()) observer.observe(card);
    return () => observer.disconnect();
  }, [box, cards, linksKey]);

  return drawing;
}
