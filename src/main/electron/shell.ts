import { dialog, shell } from 'electron';
import { AppError } from '../../shared/errors';
import type { HostShell } from '../services/app/host-shell';

export function electronShell(): HostShell {
  return {
    canOpenPath: true,
    canPickFolder: true,
    async openPath(path) {
      const error = await shell.openPath(path);
      if (error) throw new AppError('UNSUPPORTED', `Could not open ${path}: ${error}`);
    },
    async pickFolder() {
      const result = await dialog.showOpenDialog({
        properties: ['openDirectory', 'createDirectory'],
      });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  };
}
