import type { AigoPreloadApi } from '../../../shared/ipc';
import { createIpcTransport } from './ipc-transport';
import type { Transport } from './transport';
import { adoptTokenFromLocation, createWebTransport } from './web-transport';

declare global {
  interface Window {
    aigo?: AigoPreloadApi;
  }
}

/** The desktop window has `window.aigo` from the preload; a browser tab talks HTTP. */
export function createBridge(): Transport {
  if (window.aigo) return createIpcTransport(window.aigo);
  adoptTokenFromLocation(window.location, window.sessionStorage, window.history);
  return createWebTransport(window.sessionStorage);
}

export type { Transport, ConnectionState } from './transport';
