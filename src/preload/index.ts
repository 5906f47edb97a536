import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { operationNames, type AnyEvent, type OperationName } from '../shared/contract';
import {
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_CHANNEL,
  type AigoPreloadApi,
  type IpcResult,
} from '../shared/ipc';

// Only the contract's named operations are exposed; the renderer never touches ipcRenderer.
const ops = Object.fromEntries(
  operationNames.map((name) => [
    name,
    (input?: unknown) =>
      ipcRenderer.invoke(IPC_INVOKE_CHANNEL, name, input ?? {}) as Promise<IpcResult>,
  ]),
) as Record<OperationName, (input?: unknown) => Promise<IpcResult>>;

const api: AigoPreloadApi = {
  ops,
  onEvent(listener) {
    const handler = (_event: IpcRendererEvent, payload: AnyEvent) => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('aigo', api);
