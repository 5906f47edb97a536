import type { OperationDef } from '../shared/contract/define';

type Added = (entries: [string, OperationDef][]) => void;

/**
 * The contract's operations this process serves so far. The core's are there from the start
 * (src/shared/contract/core-operations.ts); the domains' load with the domains, after the API
 * has answered its first call (app.ts), and are added then. Once `complete`, a name that is not
 * here is no operation at all.
 */
export class OperationTable {
  private readonly defs = new Map<string, OperationDef>();
  private readonly listeners = new Set<Added>();
  private done = false;
  private next: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(
    initial: Readonly<Record<string, OperationDef>>,
    options: { complete?: boolean } = {},
  ) {
    this.add(initial);
    this.done = options.complete ?? false;
  }

  get complete(): boolean {
    return this.done;
  }

  get(name: string): OperationDef | undefined {
    return this.defs.get(name);
  }

  entries(): [string, OperationDef][] {
    return [...this.defs];
  }

  /** Adds what is new in `ops`; `complete` says no more will come. */
  add(ops: Readonly<Record<string, OperationDef>>, options: { complete?: boolean } = {}): void {
    const added: [string, OperationDef][] = [];
    for (const [name, def] of Object.entries(ops)) {
      if (this.defs.has(name)) continue;
      this.defs.set(name, def);
      added.push([name, def]);
    }
    if (options.complete) this.done = true;
    if (added.length) for (const listener of this.listeners) listener(added);
    this.next?.resolve();
    this.next = null;
  }

  /** Settles at the next `add`: a caller that waits for an operation looks again then. */
  nextAddition(): Promise<void> {
    if (!this.next) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.next = { promise, resolve };
    }
    return this.next.promise;
  }

  /** Calls `listener` with every operation added from now on. */
  onAdd(listener: Added): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
