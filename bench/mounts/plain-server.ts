import { lstatSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * The reference server: what validating a folder costs in file system work, written plainly —
 * parse the JSON body, realpath the path, stat it, walk it (readdir with file types, lstat of
 * each file), answer with JSON.
 */
export function plainRole(): void {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      void (async () => {
        const { hostPath } = JSON.parse(body) as { hostPath: string };
        const real = await realpath(hostPath);
        const info = await stat(real);
        const files: string[] = [];
        if (info.isDirectory()) {
          const stack = [real];
          while (stack.length > 0) {
            const dir = stack.pop() as string;
            for (const entry of await readdir(dir, { withFileTypes: true })) {
              const path = join(dir, entry.name);
              if (entry.isDirectory()) stack.push(path);
              else {
                lstatSync(path);
                files.push(path.slice(real.length + 1));
              }
            }
          }
        }
        const out = JSON.stringify({ allowed: true, realPath: real, files }, null, 2);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(out);
      })().catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
