import { chmod, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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

/**
 * A bound secret is kept as this marker and `{binding, value}` in JSON, inside the codec's
 * encryption: with the keychain codec, editing the file cannot move a key to another binding
 * (with file-0600 whoever can edit the file can read the key anyway). The marker is a control
 * character, which no key (plain visible characters only) can start with.
 */
const BOUND = '\u0001aigo-bound:';

interface Entry {
  value: string;
  /** What the secret may be used for (the credential proxy: the upstream origin); null: any. */
  binding: string | null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Secrets (API keys, bot tokens) by id, in one 0600 file, written atomically. */
export class SecretStore {
  private entries = new Map<string, Entry>();
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly codec: SecretCodec,
  ) {}

  get protection(): string {
    return this.codec.name;
  }

  /**
   * Reads the file; first removes the temp copies a crash left between write and rename (they
   * hold keys too). Returns the names of the removed copies.
   */
  async load(): Promise<{ removedTempFiles: string[] }> {
    const removedTempFiles = await this.removeStaleTempFiles();
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { removedTempFiles };
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
      Object.entries(parsed.data.entries).map(([id, stored]) => [
        id,
        unpack(this.codec.decrypt(stored)),
      ]),
    );
    return { removedTempFiles };
  }

  /** The secret, whatever it is bound to: only for masks and presence, never to send it. */
  get(id: string): string | null {
    return this.entries.get(id)?.value ?? null;
  }

  /** The secret only when it is bound to exactly `binding` (an unbound one never matches). */
  getBound(id: string, binding: string): string | null {
    const entry = this.entries.get(id);
    return entry && entry.binding === binding ? entry.value : null;
  }

  bindingOf(id: string): string | null {
    return this.entries.get(id)?.binding ?? null;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Replaces every stored secret (as is, and percent-encoded) in `text`: a backstop for what
   * reaches transcripts and run records, should an upstream echo a key in a response body.
   */
  scrub(text: string): string {
    let out = text;
    for (const { value } of this.entries.values()) {
      if (value.length < 8) continue;
      for (const form of new Set([value, encodeURIComponent(value)]))
        if (out.includes(form)) out = out.split(form).join('[redacted key]');
    }
    return out;
  }

  /** Stores a secret, bound to what it may be used for when `binding` is given. */
  set(id: string, value: string, binding: string | null = null): Promise<void> {
    this.entries.set(id, { value, binding });
    return this.persist();
  }

  /** Binds a stored secret (one written before bindings existed). */
  bind(id: string, binding: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return Promise.resolve();
    this.entries.set(id, { ...entry, binding });
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
      entries: Object.fromEntries(
        [...this.entries].map(([id, entry]) => [id, this.codec.encrypt(pack(entry))]),
      ),
    };
    const next = this.writes
      .catch(() => undefined)
      .then(() => writeFileAtomic(this.path, `${JSON.stringify(snapshot)}\n`, 0o600));
    this.writes = next;
    return next;
  }

  /** `.secrets.json.<hex>.tmp`: what writeFileAtomic writes before its rename. */
  private async removeStaleTempFiles(): Promise<string[]> {
    const dir = dirname(this.path);
    const pattern = new RegExp(`^\\.${escapeRegExp(basename(this.path))}\\.[0-9a-f]+\\.tmp$`);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const stale = names.filter((n) => pattern.test(n));
    for (const name of stale) await rm(join(dir, name), { force: true });
    return stale;
  }
}

function pack(entry: Entry): string {
  return entry.binding === null
    ? entry.value
    : `${BOUND}${JSON.stringify({ binding: entry.binding, value: entry.value })}`;
}

function unpack(plain: string): Entry {
  if (!plain.startsWith(BOUND)) return { value: plain, binding: null };
  const parsed = JSON.parse(plain.slice(BOUND.length)) as { binding?: unknown; value?: unknown };
  if (typeof parsed.value !== 'string' || typeof parsed.binding !== 'string')
    throw new Error('A bound secret in the secret store is damaged; enter its key again.');
  return { value: parsed.value, binding: parsed.binding };
}

/** `…abcd`: enough to tell two keys apart, never enough to use one. */
export function maskKey(key: string | null): string | null {
  return key ? `…${key.slice(-4)}` : null;
}
