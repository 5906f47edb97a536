#!/usr/bin/env node
// The `aigo` command: runs the built CLI (npm run build makes out/main/cli.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(
    'aigo: the app is not built yet. Run `npm run build` in the aigo folder first.\n',
  );
  process.exit(1);
}
await import(pathToFileURL(cli).href);
