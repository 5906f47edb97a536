import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cap } from '../protocol';
import { str, ToolError, type Tool } from './types';

const MAX_TIMEOUT_SECS = 600;

/** Process groups of commands still running, so a session that ends can kill them all. */
const running = new Set<number>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export function killAllCommands(): void {
  for (const pid of running) killGroup(pid);
  running.clear();
}

export const runCommandTool: Tool = {
  name: 'run_command',
  description:
    'Run a shell command in /workspace. Returns its exit code and combined output (capped).',
  inputSchema: {
    type: 'object',
    properties: {
      command: { type: 'string' },
      timeoutSecs: { type: 'number', description: 'default 60, at most 600' },
    },
    required: ['command'],
  },
  run(input, ctx) {
    const command = str(input, 'command');
    const timeoutSecs = Math.min(
      typeof input.timeoutSecs === 'number' && input.timeoutSecs > 0 ? input.timeoutSecs : 60,
      MAX_TIMEOUT_SECS,
    );
    const shell = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
    if (ctx.signal.aborted) return Promise.reject(new Error('the session has ended'));
    return new Promise((resolve, reject) => {
      // Its own process group, so a timeout kills everything the command started.
      const child = spawn(shell, ['-c', command], {
        cwd: ctx.paths.workspace,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (child.pid) running.add(child.pid);
      let output = '';
      let killedBy: string | null = null;
      const limit = ctx.outputCap * 2;
      const collect = (chunk: Buffer) => {
        if (output.length < limit) output += chunk.toString();
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      const kill = (why: string) => {
        killedBy = why;
        if (child.pid) killGroup(child.pid);
        else child.kill('SIGKILL');
      };
      const timer = setTimeout(() => kill(`timed out after ${timeoutSecs} s`), timeoutSecs * 1000);
      const onAbort = () => kill('the session ended');
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new ToolError(`Cannot run the command: ${error.message}`));
      });
      child.on('close', (code) => {
        if (child.pid) running.delete(child.pid);
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        const status = killedBy ? `killed: ${killedBy}` : `exit code ${code}`;
        resolve(cap(`[${status}]\n${output}`, ctx.outputCap));
      });
    });
  },
};
