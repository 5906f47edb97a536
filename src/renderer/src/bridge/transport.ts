import type {
  AnyEvent,
  OperationInput,
  OperationName,
  OperationOutput,
} from '../../../shared/contract';

export type ConnectionState = 'connecting' | 'online' | 'offline';

/** How the UI talks to the core: Electron IPC in the desktop window, HTTP + SSE in a browser. */
export interface Transport {
  readonly kind: 'ipc' | 'web';
  call<N extends OperationName>(name: N, input?: OperationInput<N>): Promise<OperationOutput<N>>;
  subscribe(listener: (event: AnyEvent) => void): () => void;
  /** Fires on (re)connection so the UI can refetch what it may have missed. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Whether mutating calls can succeed (the web needs the token from the `aigo serve` link). */
  canMutate(): boolean;
}
