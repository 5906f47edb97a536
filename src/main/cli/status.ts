import type { AppStatus } from '../../shared/schemas/app';
import { runtimeDisplayName } from '../../shared/schemas/runtime';
import { connect, type ConnectOptions } from './connect';
import type { OutputFormat } from './output';
import { printResult } from './print-result';

/** `Label:` padded so every value starts in the same column. */
const LABEL_WIDTH = 'Host gateway: '.length;
const labelled = (label: string, value: string) => `${`${label}:`.padEnd(LABEL_WIDTH)}${value}`;

export function renderStatus(status: AppStatus): string {
  const r = status.runtime;
  const lines = [
    `aigo ${status.app.version} (${status.app.mode}) — ${status.app.apiUrl}`,
    labelled('Data folder', status.app.dataDir),
    labelled('Log level', status.logLevel),
    '',
    labelled(
      'Runtime',
      `${runtimeDisplayName(r)}${r.available ? ` — ${r.product} ${r.version} at ${r.endpoint}` : ''}`,
    ),
  ];
  if (r.available)
    lines.push(
      labelled('Host gateway', `${r.networking.hostGateway ?? 'unknown'} (${r.networking.source})`),
    );
  else {
    lines.push(`  ${r.message}`);
    for (const check of r.checks.filter((c) => c.status !== 'not_applicable')) {
      lines.push(`  ✗ ${check.label} (${check.endpoint}): ${check.status.replaceAll('_', ' ')}`);
      for (const step of check.fix) lines.push(`      ${step}`);
    }
  }
  lines.push('', 'Services:');
  for (const s of status.services) {
    const ok = s.state === 'running';
    // A line that is not ok says why, so no one has to open the app to find out.
    const why = !ok && s.detail ? ` — ${s.detail}` : '';
    lines.push(`  ${ok ? '✓' : '!'} ${s.name.padEnd(10)} ${s.state}${why}`);
  }
  if (status.warnings.length) {
    lines.push('', 'Warnings:');
    for (const w of status.warnings) lines.push(`  ! ${w.message}`);
  }
  return lines.join('\n');
}

export async function status(options: ConnectOptions & { output: OutputFormat }): Promise<void> {
  const { call } = await connect(options);
  printResult(options.output, await call('app.status'), renderStatus);
}
