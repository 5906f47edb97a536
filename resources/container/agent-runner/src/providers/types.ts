/** The Anthropic Messages shapes the loop works in; other providers translate to and from them. */
export type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean };

export interface Message {
  role: 'user' | 'assistant';
  content: string | Block[];
}

export interface ToolDef {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
}

export interface ChatRequest {
  model: string;
  system: string;
  messages: Message[];
  tools: ToolDef[];
  maxTokens: number;
  signal: AbortSignal;
}

export interface ChatResponse {
  content: Block[];
  stopReason: string;
  usage: { inputTokens: number; outputTokens: number };
}

export interface ChatProvider {
  send(request: ChatRequest): Promise<ChatResponse>;
}
