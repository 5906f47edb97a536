// Bundles the in-container agent runner into one file the image copies in.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'resources/container/agent-runner/src/index.ts')],
  outfile: join(root, 'out/container/agent-runner.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  legalComments: 'none',
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
});
console.log('built out/container/agent-runner.mjs');
