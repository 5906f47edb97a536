import type { Job } from './job';
import type { Paths } from './ipc';
import { cap, emit } from './protocol';
import type { Block, ChatProvider, Message } from './providers/types';
import type { Steering } from './steering';
import { ToolError, type Tool } from './tools';

export interface LoopOptions {
  job: Job;
  /** The conversation so far (a resumed session); the new prompt is appended to it. */
  history?: Message[];
  /** Called after every turn with the whole conversation, so a later run can resume it. */
  save?: (messages: Message[]) => Promise<void>;
  /** The first turn's number (turns continue across follow-ups). */
  firstTurn?: number;
  paths: Paths;
  provider: ChatProvider;
  tools: Tool[];
  steering: Steering;
  signal: AbortSignal;
  outputCap: number;
}

const SYSTEM = (job: Job) =>
  job.system ??
  [
    'You are an agent working inside an isolated container for your user.',
    'Your working folder is /workspace; folders the user shared are under /workspace/extra/.',
    'Use the tools to do the work; reply with a short summary when done.',
    job.chatJid
      ? `Messages to the user go through send_message (default chat: ${job.chatJid}).`
      : '',
  ]
    .filter(Boolean)
    .join('\n');

const steeringBlocks = (texts: string[]): Block[] =>
  texts.map((text) => ({
    type: 'text',
    text: `Message from the user while you were working: ${text}`,
  }));

/** The agent loop: ask the model, run the tools it calls, fold in steering, until done or a limit. */
export async function runLoop(o: LoopOptions): Promise<{
  text: string;
  turns: number;
  stopReason: string;
  usage: { inputTokens: number; outputTokens: number };
}> {
  const messages: Message[] = [
    ...(o.history ?? []),
    {
      role: 'user',
      content: [{ type: 'text', text: o.job.prompt }, ...steeringBlocks(await o.steering.take())],
    },
  ];
  const usage = { inputTokens: 0, outputTokens: 0 };
  const toolDefs = o.tools.map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: t.inputSchema,
  }));
  let lastText = '';

  const first = o.firstTurn ?? 1;
  for (let turn = first; turn < first + o.job.maxTurns; turn++) {
    emit({ type: 'progress', event: 'turn', turn });
    const response = await o.provider.send({
      model: o.job.model,
      system: SYSTEM(o.job),
      messages,
      tools: toolDefs,
      maxTokens: o.job.maxTokens,
      signal: o.signal,
    });
    usage.inputTokens += response.usage.inputTokens;
    usage.outputTokens += response.usage.outputTokens;
    messages.push({ role: 'assistant', content: response.content });
    const text = response.content
      .filter((b): b is Extract<Block, { type: 'text' }> => b.type === 'text')
      .map((b) => b.text)
      .join('\n')
      .trim();
    if (text) {
      lastText = text;
      emit({ type: 'message', text, turn });
    }

    const calls = response.content.filter(
      (b): b is Extract<Block, { type: 'tool_use' }> => b.type === 'tool_use',
    );
    const results: Block[] = [];
    for (const call of calls) results.push(await runTool(o, call, turn));

    await o.steering.scan(); // notices a `_close` file; unread messages stay for the host
    if (o.steering.closeRequested) {
      if (results.length) messages.push({ role: 'user', content: results });
      await o.save?.(messages);
      return { text: lastText, turns: turn, stopReason: 'closed', usage };
    }
    const steering = steeringBlocks(await o.steering.take());
    if (calls.length === 0 && steering.length === 0) {
      await o.save?.(messages);
      return { text: lastText, turns: turn, stopReason: response.stopReason, usage };
    }
    if (steering.length)
      emit({ type: 'progress', event: 'steering', turn, count: steering.length });
    messages.push({ role: 'user', content: [...results, ...steering] });
    await o.save?.(messages);
  }
  return { text: lastText, turns: first + o.job.maxTurns - 1, stopReason: 'max_turns', usage };
}

async function runTool(
  o: LoopOptions,
  call: Extract<Block, { type: 'tool_use' }>,
  turn: number,
): Promise<Block> {
  if (o.signal.aborted) throw new Error('the session has ended');
  const tool = o.tools.find((t) => t.name === call.name);
  emit({ type: 'progress', event: 'tool_call', turn, tool: call.name, input: call.input });
  const started = Date.now();
  let content: string;
  let isError = false;
  try {
    if (!tool) throw new ToolError(`Unknown tool "${call.name}"`);
    content = await tool.run(call.input, {
      job: o.job,
      paths: o.paths,
      signal: o.signal,
      outputCap: o.outputCap,
    });
  } catch (error) {
    if (!(error instanceof ToolError) && o.signal.aborted) throw error;
    isError = true;
    content = `Error: ${(error as Error).message}`;
  }
  emit({
    type: 'progress',
    event: 'tool_result',
    turn,
    tool: call.name,
    isError,
    ms: Date.now() - started,
    preview: cap(content, 300),
  });
  return {
    type: 'tool_result',
    tool_use_id: call.id,
    content,
    ...(isError ? { is_error: true } : {}),
  };
}
