import { readFile } from 'node:fs/promises';

interface CpuProfile {
  nodes: { id: number; callFrame: { url: string; functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Where a start's CPU time went, by package (node_modules/<name>), aigo's own bundle file, or
 * Node's internals: the top `count` of a `--cpu-prof` profile, in ms of self time.
 */
export async function cpuByModule(file: string, count = 8): Promise<Record<string, string>> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const urls = new Map(
    profile.nodes.map((n) => [n.id, n.callFrame.url || `(${n.callFrame.functionName})`]),
  );
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const url = urls.get(id) ?? '?';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    const key =
      pkg ?? url.replace(/^.*\/out\//, 'out/').replace(/^node:internal\/.*/, 'node internals');
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return Object.fromEntries(
    [...self]
      .filter(([key]) => key !== '((idle))')
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([key, ms]) => [key, ms.toFixed(1)]),
  );
}
