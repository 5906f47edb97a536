import type { Job } from '../job';
import type { Paths } from '../ipc';

export interface ToolContext {
  job: Job;
  paths: Paths;
  signal: AbortSignal;
  /** Longest text a tool may hand back to the model. */
  outputCap: number;
}

export interface Tool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  run(input: Record<string, unknown>, ctx: ToolContext): Promise<string>;
}

/** Thrown for a bad tool call: reported to the model as an error result, never a crash. */
export class ToolError extends Error {}

export function str(input: Record<string, unknown>, key: string, required = true): string {
  const value = input[key];
  if (typeof value === 'string') return value;
  if (!required && value === undefined) return '';
  throw new ToolError(`"${key}" must be a string`);
}
