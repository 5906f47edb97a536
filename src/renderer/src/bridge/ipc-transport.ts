import { AppError } from '../../../shared/errors';
import type { AigoPreloadApi } from '../../../shared/ipc';
import type { Transport } from './transport';

export function createIpcTransport(api: AigoPreloadApi): Transport {
  return {
    kind: 'ipc',
    async call(name, input) {
      const result = await api.ops[name](input ?? {});
      if (!result.ok) throw AppError.fromEnvelope(result.error);
      return result.data as never;
    },
    subscribe: (listener) => api.onEvent(listener),
    onConnection(listener) {
      listener('online'); // IPC is up for as long as the window exists
      return () => {};
    },
    canMutate: () => true,
  };
}
