import { useEffect, useRef, useState } from 'react';

/**
 * A form's working copy of saved values. It follows the saved values while the user has not
 * changed anything, and keeps the user's unsaved edits when the saved values change underneath
 * (another window, a refresh, an unrelated save).
 */
export function useDraft<T>(saved: T): {
  draft: T;
  setDraft(next: T): void;
  dirty: boolean;
  reset(): void;
} {
  const [draft, setDraftState] = useState<T>(saved);
  const edited = useRef(false);
  const savedKey = JSON.stringify(saved);
  useEffect(() => {
    if (!edited.current) setDraftState(JSON.parse(savedKey) as T);
  }, [savedKey]);
  const dirty = JSON.stringify(draft) !== savedKey;
  if (!dirty) edited.current = false;
  return {
    draft,
    setDraft(next) {
      edited.current = true;
      setDraftState(next);
    },
    dirty,
    reset() {
      edited.current = false;
      setDraftState(JSON.parse(savedKey) as T);
    },
  };
}
