/**
 * The runner's only channel to the host: one JSON object per line on stdout, so the host can
 * stream progress and read the result. Nothing else is ever written to stdout.
 */
export type OutputLine =
  | { type: 'progress'; event: string; [key: string]: unknown }
  | { type: 'message'; text: string; turn: number }
  | {
      type: 'result';
      text: string;
      turns: number;
      stopReason: string;
      usage: { inputTokens: number; outputTokens: number };
    }
  | { type: 'error'; code: string; message: string };

export function emit(line: OutputLine): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
}

/** Caps text so one tool cannot flood the model or the host. */
export function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n… [truncated ${text.length - max} characters]`;
}
