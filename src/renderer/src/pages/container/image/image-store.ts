import { create } from 'zustand';
import type { ImageStatus } from '../../../../../shared/schemas/image';
import { attempt, transport } from '../../../call';

interface ImageState {
  status: ImageStatus | null;
  load(): Promise<void>;
  rebuild(): Promise<void>;
  cancel(): Promise<void>;
  set(status: ImageStatus): void;
}

export const useImage = create<ImageState>()((set) => ({
  status: null,
  async load() {
    const status = await attempt(() => transport().call('image.status'));
    if (status) set({ status });
  },
  async rebuild() {
    const status = await attempt(() => transport().call('image.build', {}), { change: true });
    if (status) set({ status });
  },
  async cancel() {
    const status = await attempt(() => transport().call('image.cancel'), { change: true });
    if (status) set({ status });
  },
  set: (status) => set({ status }),
}));
