import { describe, expect, it } from 'vitest';
import { operationNames, operations } from '../../src/shared/contract';
import type { AppStatus } from '../../src/shared/schemas/app';
import { listOperations } from '../../src/main/cli/api';
import { renderStatus } from '../../src/main/cli/status';

/** The column where each line's text starts again after `prefix` and its padding. */
function valueColumn(line: string, prefix: string): number {
  return prefix.length + (/^ */.exec(line.slice(prefix.length))?.[0].length ?? 0);
}

describe('aigo api --list', () => {
  it('aligns the columns: name, method, path, summary', () => {
    const lines = listOperations().split('\n');
    expect(lines).toHaveLength(operationNames.length);
    const starts = (line: string, name: (typeof operationNames)[number]) => {
      const op = operations[name];
      return [
        line.indexOf(name),
        line.indexOf(` ${op.method} `) + 1,
        line.indexOf(` ${op.path} `) + 1,
        line.lastIndexOf(op.summary),
      ];
    };
    const first = starts(lines[0]!, operationNames[0]!);
    lines.forEach((line, i) => {
      expect(starts(line, operationNames[i]!), line).toEqual(first);
    });
    // Plain text, no trailing spaces.
    for (const line of lines) expect(line).toBe(line.trimEnd());
  });
});

describe('aigo status', () => {
  const status = (available: boolean): AppStatus =>
    ({
      app: { version: '0.1.0', mode: 'headless', apiUrl: 'http://127.0.0.1:1', dataDir: '/d' },
      logLevel: 'info',
      runtime: {
        available,
        backend: available ? 'docker' : null,
        product: 'Docker Engine',
        version: '27.3.1',
        endpoint: 'unix:///var/run/docker.sock',
        networking: { hostGateway: '172.17.0.1', source: 'bridge_gateway' },
        message: 'No container runtime answers.',
        checks: [],
      },
      services: [
        { name: 'api', state: 'running' },
        { name: 'image', state: 'degraded' },
      ],
      warnings: [],
    }) as unknown as AppStatus;

  for (const available of [true, false]) {
    it(`aligns the labels (runtime ${available ? 'available' : 'missing'})`, () => {
      const lines = renderStatus(status(available)).split('\n');
      const labelled = lines.filter((l) => /^[A-Z][A-Za-z ]*: +\S/.test(l));
      expect(labelled.map((l) => l.split(':')[0])).toEqual(
        available
          ? ['Data folder', 'Log level', 'Runtime', 'Host gateway']
          : ['Data folder', 'Log level', 'Runtime'],
      );
      const columns = labelled.map((l) => valueColumn(l, `${l.split(':')[0]}:`));
      expect(new Set(columns).size, labelled.join('\n')).toBe(1);
    });
  }
});
