import Anthropic from '@anthropic-ai/sdk';
import type { ChatProvider, ChatRequest, ChatResponse, Block } from './types';

/**
 * The official SDK against ANTHROPIC_BASE_URL. Inside aigo that is the credential proxy, the key
 * is the placeholder, and every request carries the session token the proxy checks.
 */
export function anthropicProvider(env: NodeJS.ProcessEnv): ChatProvider {
  const token = env.AIGO_PROXY_TOKEN;
  const client = new Anthropic({
    apiKey: env.ANTHROPIC_API_KEY ?? null,
    baseURL: env.ANTHROPIC_BASE_URL ?? null,
    defaultHeaders: token ? { 'x-aigo-session': token } : {},
    maxRetries: 2,
  });
  return {
    async send(request: ChatRequest): Promise<ChatResponse> {
      const response = await client.messages.create(
        {
          model: request.model,
          max_tokens: request.maxTokens,
          system: request.system,
          messages: request.messages as Anthropic.MessageParam[],
          tools: request.tools as Anthropic.Tool[],
        },
        { signal: request.signal },
      );
      const content: Block[] = response.content.flatMap((block): Block[] => {
        if (block.type === 'text') return [{ type: 'text', text: block.text }];
        if (block.type === 'tool_use')
          return [
            {
              type: 'tool_use',
              id: block.id,
              name: block.name,
              input: (block.input ?? {}) as Record<string, unknown>,
            },
          ];
        return [];
      });
      return {
        content,
        stopReason: response.stop_reason ?? 'end_turn',
        usage: {
          inputTokens: response.usage.input_tokens,
          outputTokens: response.usage.output_tokens,
        },
      };
    },
  };
}
