import { create } from 'zustand';
import type { ImageStatus } from '../../../../../shared/schemas/image';
import { useApp } from '../../../store';

interface ImageState {
  status: ImageStatus | null;
  load(): Promise<void>;
  rebuild(): Promise<void>;
  cancel(): Promise<void>;
  set(status: ImageStatus): void;
}

async function attempt<T>(work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    useApp.setState({
      notice: { kind: 'error', text: error instanceof Error ? error.message : String(error) },
    });
    return null;
  }
}

const transport = () => {
  const t = useApp.getState().transport;
  if (!t) throw new Error('Not connected to aigo yet.');
  return t;
};

export const useImage = create<ImageState>()((set) => ({
  status: null,
  async load() {
    const status = await attempt(() => transport().call('image.status'));
    if (status) set({ status });
  },
  async rebuild() {
    const status = await attempt(() => transport().call('image.build', {}));
    if (status) set({ status });
  },
  async cancel() {
    const status = await attempt(() => transport().call('image.cancel'));
    if (status) set({ status });
  },
  set: (status) => set({ status }),
}));
