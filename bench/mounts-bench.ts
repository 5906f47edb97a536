// `npm run bench -- mounts`: the mount checks against plain Node doing the same file system work,
// in the same run.
//   1. The mask scan of a generated tree of 100,000 files in 10,000 folders against a plain walk
//      of it (readdir with file types, lstat of every file), median of five, alternated.
//   2. POST /api/v1/container/mounts/validate on a real `aigo serve` against a plain node:http
//      server doing the same file system work for the request's folder, each in its own
//      process, with the load generator in a third: requests per second at concurrency 8.
// Child roles (`node --import tsx bench/mounts-bench.ts <role> <json>`): `plain` (the reference
// server) and `load` (the load generator); `scan` or `validate` runs one section alone.
import { resolve } from 'node:path';
import { loadRole, type LoadSpec } from './mounts/load-generator';
import { plainRole } from './mounts/plain-server';
import { maskScanSection } from './mounts/scan-section';
import { validateSection } from './mounts/validate-section';

const SELF = import.meta.filename;

export async function mountsBench(): Promise<void> {
  await maskScanSection();
  await validateSection();
}

if (resolve(process.argv[1] ?? '') === SELF) {
  const [role, arg = '{}'] = process.argv.slice(2);
  if (role === 'plain') plainRole();
  else if (role === 'load') await loadRole(JSON.parse(arg) as LoadSpec);
  else if (role === 'scan') await maskScanSection();
  else if (role === 'validate') await validateSection();
  else await mountsBench();
}
