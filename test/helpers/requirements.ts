import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Tests that need Docker or Chromium skip on a laptop without them, saying why; under CI=true a
 * missing part is a failure, so a green CI always means the real parts ran.
 */
export const isCI = process.env.CI === 'true' || process.env.CI === '1';

export interface Requirement {
  ok: boolean;
  reason: string;
}

export function dockerRequirement(): Requirement {
  try {
    const version = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .toString()
      .trim();
    return { ok: true, reason: `Docker ${version}` };
  } catch (error) {
    return {
      ok: false,
      reason: `no Docker engine answers (${(error as Error).message.split('\n')[0]}); run .ci/run or start dockerd`,
    };
  }
}

export const CHROMIUM_PATH = process.env.AIGO_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumRequirement(): Requirement {
  return existsSync(CHROMIUM_PATH)
    ? { ok: true, reason: CHROMIUM_PATH }
    : {
        ok: false,
        reason: `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set AIGO_CHROMIUM)`,
      };
}

/**
 * Returns whether the suite should run. Prints the reason when it skips; throws under CI so the
 * run fails loudly instead of passing without the real parts.
 */
export function requirePart(name: string, requirement: Requirement): boolean {
  if (requirement.ok) return true;
  if (isCI) throw new Error(`${name} is required under CI but ${requirement.reason}`);
  process.stdout.write(`\n[skip] ${name} tests skipped: ${requirement.reason}\n`);
  return false;
}
