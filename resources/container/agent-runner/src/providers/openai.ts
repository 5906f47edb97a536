import type { Block, ChatProvider, ChatRequest, ChatResponse, Message } from './types';

interface OpenAiMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/** Anthropic-shaped history to OpenAI chat messages. */
export function toOpenAi(system: string, messages: Message[]): OpenAiMessage[] {
  const out: OpenAiMessage[] = [{ role: 'system', content: system }];
  for (const m of messages) {
    if (typeof m.content === 'string') {
      out.push({ role: m.role, content: m.content });
      continue;
    }
    const text = m.content
      .filter((b): b is Extract<Block, { type: 'text' }> => b.type === 'text')
      .map((b) => b.text)
      .join('\n');
    if (m.role === 'assistant') {
      const calls = m.content.filter(
        (b): b is Extract<Block, { type: 'tool_use' }> => b.type === 'tool_use',
      );
      out.push({
        role: 'assistant',
        content: text || null,
        ...(calls.length
          ? {
              tool_calls: calls.map((c) => ({
                id: c.id,
                type: 'function' as const,
                function: { name: c.name, arguments: JSON.stringify(c.input) },
              })),
            }
          : {}),
      });
    } else {
      for (const b of m.content)
        if (b.type === 'tool_result')
          out.push({ role: 'tool', tool_call_id: b.tool_use_id, content: b.content });
      if (text) out.push({ role: 'user', content: text });
    }
  }
  return out;
}

/** Any OpenAI-compatible chat completions endpoint (local model servers included). */
export function openAiProvider(env: NodeJS.ProcessEnv): ChatProvider {
  const base = (env.OPENAI_BASE_URL ?? env.ANTHROPIC_BASE_URL ?? 'https://api.openai.com').replace(
    /\/+$/,
    '',
  );
  const url = /\/v1$/.test(base) ? `${base}/chat/completions` : `${base}/v1/chat/completions`;
  const key = env.OPENAI_API_KEY ?? env.ANTHROPIC_API_KEY ?? '';
  return {
    async send(request: ChatRequest): Promise<ChatResponse> {
      const response = await fetch(url, {
        method: 'POST',
        signal: request.signal,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${key}`,
          ...(env.AIGO_PROXY_TOKEN ? { 'x-aigo-session': env.AIGO_PROXY_TOKEN } : {}),
        },
        body: JSON.stringify({
          model: request.model,
          max_tokens: request.maxTokens,
          messages: toOpenAi(request.system, request.messages),
          tools: request.tools.map((t) => ({
            type: 'function',
            function: { name: t.name, description: t.description, parameters: t.input_schema },
          })),
        }),
      });
      const body = (await response.json()) as {
        error?: { message?: string };
        choices?: {
          finish_reason?: string;
          message?: {
            content?: string | null;
            tool_calls?: { id: string; function: { name: string; arguments: string } }[];
          };
        }[];
        usage?: { prompt_tokens?: number; completion_tokens?: number };
      };
      if (!response.ok)
        throw new Error(
          `${url} answered ${response.status}: ${body.error?.message ?? 'no message'}`,
        );
      const choice = body.choices?.[0];
      const content: Block[] = [];
      if (choice?.message?.content) content.push({ type: 'text', text: choice.message.content });
      for (const call of choice?.message?.tool_calls ?? []) {
        let input: Record<string, unknown> = {};
        try {
          input = JSON.parse(call.function.arguments || '{}') as Record<string, unknown>;
        } catch {
          input = {};
        }
        content.push({ type: 'tool_use', id: call.id, name: call.function.name, input });
      }
      return {
        content,
        stopReason:
          choice?.finish_reason === 'tool_calls'
            ? 'tool_use'
            : (choice?.finish_reason ?? 'end_turn'),
        usage: {
          inputTokens: body.usage?.prompt_tokens ?? 0,
          outputTokens: body.usage?.completion_tokens ?? 0,
        },
      };
    },
  };
}
