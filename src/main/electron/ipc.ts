import { ipcMain, type WebContents } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type IpcResult } from '../../shared/ipc';
import type { AppCore } from '../app';
import { toErrorEnvelope } from '../dispatch';

/**
 * One handler for every contract operation: the same dispatcher the HTTP API uses, so
 * validation and errors are identical. Only our own window's frames may call it.
 */
export function registerIpc(
  core: AppCore,
  isTrusted: (sender: WebContents) => boolean,
): () => void {
  ipcMain.handle(
    IPC_INVOKE_CHANNEL,
    async (event, name: unknown, input: unknown): Promise<IpcResult> => {
      if (!isTrusted(event.sender)) {
        return {
          ok: false,
          error: { code: 'FORBIDDEN', message: 'This window may not call aigo.' },
        };
      }
      try {
        return { ok: true, data: await core.dispatch(String(name), input) };
      } catch (error) {
        return { ok: false, error: toErrorEnvelope(error, core.logger) };
      }
    },
  );
  return () => ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
}

/** Forwards every core event to a window while it exists. */
export function forwardEvents(core: AppCore, target: () => WebContents | null): () => void {
  return core.bus.subscribe((event) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event);
  });
}
