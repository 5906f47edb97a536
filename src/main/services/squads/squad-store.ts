import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { squadSchema, type Squad } from '../../../shared/schemas/squads';
import { removeStaleTemps, writeFileAtomic } from '../fs/atomic-write';

export const SQUADS_DIR = 'squads';

/**
 * Squads on disk: one JSON file each under DATA_DIR/squads/, replaced atomically on every change
 * (write, fsync, rename), so a crash leaves the last whole state and never half of one.
 */
export class SquadStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, SQUADS_DIR);
  }

  async loadAll(): Promise<{ squads: Squad[]; unreadable: string[] }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const squads: Squad[] = [];
    const unreadable: string[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const path = join(this.dir, name);
      await removeStaleTemps(path);
      try {
        squads.push(squadSchema.parse(JSON.parse(await readFile(path, 'utf8'))));
      } catch {
        unreadable.push(name);
      }
    }
    return { squads, unreadable };
  }

  save(squad: Squad): Promise<void> {
    return writeFileAtomic(
      join(this.dir, `${squad.id}.json`),
      `${JSON.stringify(squad, null, 2)}\n`,
      0o600,
    );
  }
}
