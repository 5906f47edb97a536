import type { Diagnostics } from '../../shared/schemas/diagnostics';
import { connect, type ConnectOptions } from './connect';
import { printResult, type OutputFormat } from './output';

const MARK = { ok: '✓', info: '·', warn: '!', fail: '✗' } as const;

export function renderDiagnostics(d: Diagnostics): string {
  const lines = d.items.map((item) => {
    const head = `${MARK[item.status]} ${item.title}${item.detail ? ` — ${item.detail}` : ''}`;
    return [head, ...item.fix.map((f) => `    → ${f}`)].join('\n');
  });
  const summary = {
    ok: 'Everything aigo can check is fine.',
    warn: 'aigo works, with the warnings above.',
    fail: 'Something above stops agents from running: follow its fix.',
  }[d.status];
  return `${lines.join('\n')}\n\n${summary}`;
}

/** `aigo doctor`: the app's own diagnosis; exit code 1 when anything fails. */
export async function doctor(options: ConnectOptions & { output: OutputFormat }): Promise<void> {
  const { call } = await connect(options);
  const diagnostics = await call('app.diagnostics');
  printResult(options.output, diagnostics, renderDiagnostics);
  if (diagnostics.status === 'fail') process.exitCode = 1;
}
