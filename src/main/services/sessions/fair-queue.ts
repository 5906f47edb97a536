/**
 * Sessions waiting for a container slot, fair across groups: the next slot goes to the group
 * that started least recently, and within a group to its oldest waiting session. A busy group
 * cannot starve a quiet one, however many sessions it queues.
 */
export class FairQueue {
  private readonly waiting: { id: string; group: string }[] = [];
  private readonly lastStart = new Map<string, number>();
  private starts = 0;
  /** The start order and each id's place in it, computed once per change (positions are read often). */
  private cached: { order: { id: string; group: string }[]; at: Map<string, number> } | null = null;

  push(id: string, group: string): void {
    if (!this.waiting.some((w) => w.id === id)) {
      this.waiting.push({ id, group });
      this.cached = null;
    }
  }

  remove(id: string): boolean {
    const at = this.waiting.findIndex((w) => w.id === id);
    if (at >= 0) {
      this.waiting.splice(at, 1);
      this.cached = null;
    }
    return at >= 0;
  }

  get size(): number {
    return this.waiting.length;
  }

  /** The next session to start (the first one `canStart` accepts), taken off the queue. */
  take(canStart: (id: string) => boolean = () => true): string | null {
    const next = this.order().find((w) => canStart(w.id));
    if (!next) return null;
    this.remove(next.id);
    this.lastStart.set(next.group, ++this.starts);
    this.cached = null;
    return next.id;
  }

  /** 1 = next; null when not queued. */
  position(id: string): number | null {
    this.order();
    const at = this.cached?.at.get(id);
    return at === undefined ? null : at + 1;
  }

  /** The order sessions will start in, if nothing else arrives. */
  private order(): { id: string; group: string }[] {
    if (this.cached) return this.cached.order;
    const byGroup = new Map<string, { id: string; group: string }[]>();
    for (const w of this.waiting) {
      const list = byGroup.get(w.group);
      if (list) list.push(w);
      else byGroup.set(w.group, [w]);
    }
    const last = new Map(this.lastStart);
    let clock = this.starts;
    const out: { id: string; group: string }[] = [];
    while (out.length < this.waiting.length) {
      let pick: string | null = null;
      for (const [group, list] of byGroup) {
        if (!list.length) continue;
        if (pick === null || (last.get(group) ?? 0) < (last.get(pick) ?? 0)) pick = group;
      }
      const item = byGroup.get(pick as string)?.shift();
      if (!item) break;
      out.push(item);
      last.set(item.group, ++clock);
    }
    this.cached = { order: out, at: new Map(out.map((w, i) => [w.id, i])) };
    return out;
  }
}
