import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LlmRequest {
  headers: IncomingHttpHeaders;
  body: {
    model: string;
    messages: {
      role: string;
      content: string | { type: string; text?: string; content?: string; tool_use_id?: string }[];
    }[];
    tools?: { name: string }[];
  };
}

export type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** One scripted turn: blocks to answer with, optionally after a hook (e.g. drop a file) or a delay. */
export interface Turn {
  blocks: Block[];
  /** Answer with this API error instead (a 4xx is not retried by the SDK). */
  error?: { status: number; type: string; message: string };
  before?: (request: LlmRequest) => Promise<void> | void;
  delayMs?: number;
}

export const text = (t: string): Block => ({ type: 'text', text: t });
export const toolUse = (name: string, input: Record<string, unknown>): Block => ({
  type: 'tool_use',
  id: `toolu_${Math.random().toString(36).slice(2, 10)}`,
  name,
  input,
});

/**
 * An Anthropic-Messages-compatible server that plays a scripted conversation and records every
 * request, so the real SDK inside the runner talks to it unmodified. Bind to 127.0.0.1 only.
 */
export async function startScriptedLlm(script: Turn[] | ((n: number, req: LlmRequest) => Turn)) {
  const requests: LlmRequest[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', async () => {
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            type: 'error',
            error: { type: 'not_found_error', message: `no ${req.url}` },
          }),
        );
        return;
      }
      const request: LlmRequest = {
        headers: req.headers,
        body: JSON.parse(raw) as LlmRequest['body'],
      };
      requests.push(request);
      const n = requests.length - 1;
      const turn = typeof script === 'function' ? script(n, request) : script[n];
      if (!turn) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            type: 'error',
            error: { type: 'api_error', message: `script has no turn ${n + 1}` },
          }),
        );
        return;
      }
      await turn.before?.(request);
      if (turn.delayMs) await new Promise((r) => setTimeout(r, turn.delayMs));
      if (turn.error) {
        res.writeHead(turn.error.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: turn.error }));
        return;
      }
      const usesTools = turn.blocks.some((b) => b.type === 'tool_use');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `msg_${n}`,
          type: 'message',
          role: 'assistant',
          model: request.body.model,
          content: turn.blocks,
          stop_reason: usesTools ? 'tool_use' : 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 10, output_tokens: 5 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** All text a request's last user message carries (text blocks and tool results). */
export function lastUserText(request: LlmRequest): string {
  const last = request.body.messages.at(-1);
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return last.content.map((b) => b.text ?? b.content ?? '').join('\n');
}
