/**
 * Sessions waiting for a container slot, fair across groups: the next slot goes to the group
 * that started least recently, and within a group to its oldest waiting session. A busy group
 * cannot starve a quiet one, however many sessions it queues.
 */
export class FairQueue {
  private readonly waiting: { id: string; group: string }[] = [];
  private readonly lastStart = new Map<string, number>();
  private starts = 0;

  push(id: string, group: string): void {
    if (!this.waiting.some((w) => w.id === id)) this.waiting.push({ id, group });
  }

  remove(id: string): boolean {
    const at = this.waiting.findIndex((w) => w.id === id);
    if (at >= 0) this.waiting.splice(at, 1);
    return at >= 0;
  }

  get size(): number {
    return this.waiting.length;
  }

  /** The next session to start, taken off the queue. */
  take(): string | null {
    const order = this.order();
    const next = order[0];
    if (!next) return null;
    this.remove(next.id);
    this.lastStart.set(next.group, ++this.starts);
    return next.id;
  }

  /** 1 = next; null when not queued. */
  position(id: string): number | null {
    const at = this.order().findIndex((w) => w.id === id);
    return at >= 0 ? at + 1 : null;
  }

  /** The order sessions will start in, if nothing else arrives. */
  private order(): { id: string; group: string }[] {
    const byGroup = new Map<string, { id: string; group: string }[]>();
    for (const w of this.waiting) byGroup.set(w.group, [...(byGroup.get(w.group) ?? []), w]);
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
    return out;
  }
}
