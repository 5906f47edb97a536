import type { TranscriptItem } from '../../../shared/schemas/sessions';

type Item = TranscriptItem extends infer T
  ? T extends TranscriptItem
    ? Omit<T, 'time'>
    : never
  : never;

export interface RunnerOutputSink {
  /** A new step, or a newer version of one (same id). */
  item(item: Item): void;
  progress(patch: { turn?: number; toolCall?: boolean; activity?: string | null }): void;
  /** The runner answered and now waits for a follow-up (idle), or took one up (running). */
  idle(waiting: boolean): void;
}

const TAIL_CHARS = 8000;
/** Tool calls awaiting their result that are remembered; older ones are shown as still running. */
const MAX_OPEN_TOOLS = 100;

/** Shortens what a tool got or gave, for display. */
function short(value: unknown, max = 2000): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null, null, 1);
  return text.length > max ? `${text.slice(0, max)}… [${text.length - max} more characters]` : text;
}

/**
 * Reads the runner's JSON lines (its only channel, see the runner's protocol.ts) and turns them
 * into the steps a user sees: what the agent said, each tool call with its result, errors.
 */
export class RunnerOutput {
  result: { text: string; stopReason: string } | null = null;
  error: { code: string; message: string } | null = null;
  private tailText = '';
  private runId: string;
  private toolCount = 0;
  private openTools: { id: string; tool: string; turn: number; input: string }[] = [];

  constructor(
    private readonly sink: RunnerOutputSink,
    runId: string,
  ) {
    this.runId = runId;
  }

  get tail(): string {
    return this.tailText;
  }

  /** Text the runner printed that is not protocol (it never should), kept for the run record. */
  raw(text: string): void {
    this.tailText = (this.tailText + text).slice(-TAIL_CHARS);
  }

  line(text: string): void {
    this.raw(`${text}\n`);
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const turn = typeof line.turn === 'number' ? line.turn : 0;
    switch (line.type) {
      case 'message':
        this.sink.item({
          id: `${this.runId}-a${turn}`,
          kind: 'assistant',
          text: String(line.text ?? ''),
          turn,
        });
        return;
      case 'result':
        this.result = { text: String(line.text ?? ''), stopReason: String(line.stopReason ?? '') };
        this.sink.progress({ activity: null });
        if (this.result.stopReason === 'closed' || this.result.stopReason === 'max_turns')
          this.sink.item({
            id: `${this.runId}-stop`,
            kind: 'status',
            level: 'info',
            text:
              this.result.stopReason === 'closed'
                ? 'Closed as asked: the agent finished its step and stopped.'
                : 'Stopped at the turn limit; send a message to let it continue.',
          });
        return;
      case 'error':
        this.error = { code: String(line.code ?? 'FAILED'), message: String(line.message ?? '') };
        this.sink.item({
          id: `${this.runId}-error`,
          kind: 'status',
          level: 'error',
          text: `${this.error.message} (${this.error.code})`,
        });
        return;
      case 'progress':
        this.progress(String(line.event ?? ''), line, turn);
        return;
    }
  }

  private progress(event: string, line: Record<string, unknown>, turn: number): void {
    if (event === 'turn') this.sink.progress({ turn, activity: 'thinking' });
    else if (event === 'tool_call') {
      const id = `${this.runId}-t${++this.toolCount}`;
      const tool = String(line.tool ?? '');
      const input = short(line.input);
      this.openTools.push({ id, tool, turn, input });
      // Lines are the agent's to write: calls that never get a result must not pile up.
      if (this.openTools.length > MAX_OPEN_TOOLS) this.openTools.shift();
      this.sink.item({
        id,
        kind: 'tool',
        turn,
        tool,
        input,
        status: 'running',
        output: null,
        ms: null,
      });
      this.sink.progress({ toolCall: true, activity: tool });
    } else if (event === 'tool_result') {
      const at = this.openTools.findIndex((t) => t.tool === line.tool);
      const open = at >= 0 ? this.openTools.splice(at, 1)[0] : undefined;
      if (!open) return;
      this.sink.item({
        id: open.id,
        kind: 'tool',
        turn: open.turn,
        tool: open.tool,
        input: open.input,
        status: line.isError ? 'error' : 'ok',
        output: short(line.preview),
        ms: typeof line.ms === 'number' ? line.ms : null,
      });
      this.sink.progress({ activity: 'thinking' });
    } else if (event === 'idle') this.sink.idle(true);
    else if (event === 'follow_up') this.sink.idle(false);
  }
}
