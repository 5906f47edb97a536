import type { AnyEvent, EventName, EventPayload } from '../../../shared/contract';

export type EventListener = (event: AnyEvent) => void;

/**
 * The core's one fan-out point for pushed events: services emit, transports (IPC, SSE) and
 * other services listen. A throwing listener never breaks the emitter or its siblings.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    const event = { name, payload } as AnyEvent;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Returns the unsubscribe function; call it when the consumer goes away. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void {
    return this.subscribe((event) => {
      if (event.name === name) listener(event.payload as EventPayload<N>);
    });
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
