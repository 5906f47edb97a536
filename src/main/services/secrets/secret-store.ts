import { chmod, readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic-write';

/**
 * How a secret is kept at rest. The desktop app encrypts with the OS keychain (Electron
 * safeStorage); headless mode has no keychain, so it relies on the file being 0600 in a 0700
 * folder — the same protection ~/.ssh keys get.
 */
export interface SecretCodec {
  readonly name: string;
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

export const fileOnlyCodec: SecretCodec = {
  name: 'file-0600',
  encrypt: (s) => s,
  decrypt: (s) => s,
};

const fileSchema = z.object({ codec: z.string(), entries: z.record(z.string(), z.string()) });

/** Secrets (API keys, bot tokens) by id, in one 0600 file, written atomically. */
export class SecretStore {
  private entries = new Map<string, string>();
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly codec: SecretCodec,
  ) {}

  get protection(): string {
    return this.codec.name;
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (process.platform !== 'win32' && ((await stat(this.path)).mode & 0o077) !== 0)
      await chmod(this.path, 0o600);
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new Error(
        `The secret store ${this.path} is damaged; move it aside and enter the keys again.`,
      );
    if (parsed.data.codec !== this.codec.name) {
      throw new Error(
        `The secret store ${this.path} was written with "${parsed.data.codec}" protection and this app uses "${this.codec.name}"; enter the keys again.`,
      );
    }
    this.entries = new Map(
      Object.entries(parsed.data.entries).map(([id, stored]) => [id, this.codec.decrypt(stored)]),
    );
  }

  get(id: string): string | null {
    return this.entries.get(id) ?? null;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  set(id: string, value: string): Promise<void> {
    this.entries.set(id, value);
    return this.persist();
  }

  delete(id: string): Promise<void> {
    this.entries.delete(id);
    return this.persist();
  }

  flush(): Promise<void> {
    return this.writes.catch(() => undefined);
  }

  private persist(): Promise<void> {
    const snapshot = {
      codec: this.codec.name,
      entries: Object.fromEntries([...this.entries].map(([id, v]) => [id, this.codec.encrypt(v)])),
    };
    const next = this.writes
      .catch(() => undefined)
      .then(() => writeFileAtomic(this.path, `${JSON.stringify(snapshot)}\n`, 0o600));
    this.writes = next;
    return next;
  }
}

/** `…abcd`: enough to tell two keys apart, never enough to use one. */
export function maskKey(key: string | null): string | null {
  return key ? `…${key.slice(-4)}` : null;
}
