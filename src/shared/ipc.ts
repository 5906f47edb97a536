import type { ErrorEnvelope } from './errors';
import type { AnyEvent, OperationName } from './contract';

/** The two Electron IPC channels: one request/response channel, one event channel. */
export const IPC_INVOKE_CHANNEL = 'aigo:invoke';
export const IPC_EVENT_CHANNEL = 'aigo:event';

/** Errors cross IPC as data, not as thrown Errors (Electron would flatten them to a string). */
export type IpcResult = { ok: true; data: unknown } | { ok: false; error: ErrorEnvelope };

/** What the preload exposes as `window.aigo`: one function per contract operation, and events. */
export interface AigoPreloadApi {
  ops: Record<OperationName, (input?: unknown) => Promise<IpcResult>>;
  onEvent(listener: (event: AnyEvent) => void): () => void;
}
