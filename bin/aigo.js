#!/usr/bin/env node
// The `aigo` command: runs the built CLI (npm run build makes out/main/cli.js).
import { existsSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(
    'aigo: the app is not built yet. Run `npm run build` in the aigo folder first.\n',
  );
  process.exit(1);
}
// V8 keeps the compiled code of the bundle between runs (Node 22.1+), so a start after the
// first one skips most of the compiling: about a third of the time to the first answer.
module.enableCompileCache?.();
await import(pathToFileURL(cli).href);
