import { create } from 'zustand';
import { AppError } from '../../../../../shared/errors';
import type {
  MountPolicyInput,
  MountRequest,
  MountSecurityView,
  MountVerdict,
} from '../../../../../shared/schemas/mounts';
import { clearError, showError, showSaved, transport } from '../../../call';

export interface PendingBroad {
  /** Only the roots being added: confirming merges them into the policy as it is then. */
  newRoots: NonNullable<MountPolicyInput['allowedRoots']>;
  broadRoots: string[];
  message: string;
}

interface MountsState {
  view: MountSecurityView | null;
  saving: boolean;
  pendingBroad: PendingBroad | null;
  verdict: MountVerdict | null;
  /** The path last tested, tested again when the policy changes. */
  lastTest: MountRequest | null;
  testing: boolean;
  load(): Promise<void>;
  setView(view: MountSecurityView): void;
  /** Saves; a new broad root comes back as `pendingBroad` for the user to confirm. */
  save(policy: MountPolicyInput, confirmBroad?: boolean): Promise<boolean>;
  /** Accepts where a moved root resolves now (it admits nothing until then). */
  reconfirm(path: string): Promise<boolean>;
  /** Adds the pending roots to the current policy, confirmed. */
  confirmBroad(): Promise<boolean>;
  cancelBroad(): void;
  test(request: MountRequest): Promise<void>;
  pickFolder(): Promise<string | null>;
}

export const useMounts = create<MountsState>()((set, get) => ({
  view: null,
  saving: false,
  pendingBroad: null,
  verdict: null,
  lastTest: null,
  testing: false,
  async load() {
    try {
      set({ view: await transport().call('mounts.getPolicy') });
    } catch (error) {
      showError(error);
    }
  },
  setView: (view) => {
    set({ view });
    // A verdict shown before the policy changed may no longer hold: test the same path again.
    const last = get().lastTest;
    if (last && get().verdict) void get().test(last);
  },
  async save(policy, confirmBroad = false) {
    set({ saving: true });
    try {
      set({
        view: await transport().call('mounts.updatePolicy', { ...policy, confirmBroad }),
        pendingBroad: null,
      });
      showSaved();
      return true;
    } catch (error) {
      const details =
        error instanceof AppError
          ? (error.details as { needsConfirmation?: boolean; broadRoots?: string[] } | undefined)
          : undefined;
      if (details?.needsConfirmation) {
        const known = new Set(get().view?.policy.allowedRoots.map((r) => r.path));
        set({
          pendingBroad: {
            newRoots: (policy.allowedRoots ?? []).filter((r) => !known.has(r.path)),
            broadRoots: details.broadRoots ?? [],
            message: (error as Error).message,
          },
        });
      } else showError(error);
      return false;
    } finally {
      set({ saving: false });
    }
  },
  async confirmBroad() {
    const pending = get().pendingBroad;
    const view = get().view;
    if (!pending || !view) return false;
    return get().save(
      { ...view.policy, allowedRoots: [...view.policy.allowedRoots, ...pending.newRoots] },
      true,
    );
  },
  cancelBroad: () => set({ pendingBroad: null }),
  async reconfirm(path) {
    const view = get().view;
    if (!view) return false;
    set({ saving: true });
    try {
      set({
        view: await transport().call('mounts.updatePolicy', {
          ...view.policy,
          reconfirmRoots: [path],
        }),
      });
      clearError();
      return true;
    } catch (error) {
      showError(error);
      return false;
    } finally {
      set({ saving: false });
    }
  },
  async test(request) {
    set({ lastTest: request });
    set({ testing: true });
    try {
      set({ verdict: await transport().call('mounts.validate', request) });
    } catch (error) {
      showError(error);
    } finally {
      set({ testing: false });
    }
  },
  async pickFolder() {
    try {
      return (await transport().call('app.pickFolder')).path;
    } catch (error) {
      showError(error);
      return null;
    }
  },
}));
