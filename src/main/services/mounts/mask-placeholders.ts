import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Empty, read-only stand-ins mounted over every masked entry. */
export interface MaskPlaceholders {
  directory: string;
  file: string;
}

export function maskPlaceholders(dataDir: string): MaskPlaceholders {
  return {
    directory: join(dataDir, 'mask', 'empty-dir'),
    file: join(dataDir, 'mask', 'empty-file'),
  };
}

/** Creates the placeholders, or empties and re-protects ones left from an earlier run. */
export async function preparePlaceholders(placeholders: MaskPlaceholders): Promise<void> {
  await mkdir(placeholders.directory, { recursive: true });
  const file = await stat(placeholders.file).catch(() => null);
  if (!file || file.size > 0) {
    if (file) await chmod(placeholders.file, 0o600);
    await writeFile(placeholders.file, '');
  }
  await chmod(placeholders.directory, 0o555);
  await chmod(placeholders.file, 0o444);
}
