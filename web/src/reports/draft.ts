import { useEffect, useRef, useState } from 'react';

/**
 * The report form's draft, kept on this device (localStorage) as the reporter types, so
 * that closing the page, losing signal or a flat battery loses nothing. Photos are not
 * kept in the draft (too large for localStorage); they go with the report itself.
 */
const DRAFT_KEY = 'peel-report-draft';

export function loadDraft<T extends object>(empty: T): T {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(DRAFT_KEY) ?? 'null');
    if (!saved || typeof saved !== 'object') return empty;
    // Only the fields the form knows, each of the type it expects: an old draft cannot break the form.
    const merged = { ...empty };
    for (const key of Object.keys(empty) as Array<keyof T>) {
      const value = (saved as Record<string, unknown>)[key as string];
      if (value !== undefined && typeof value === typeof empty[key]) merged[key] = value as T[keyof T];
    }
    return merged;
  } catch {
    return empty;
  }
}

export function clearDraft(): void {
  localStorage.removeItem(DRAFT_KEY);
}

/** Saves the draft a moment after each change, and at once when the page is hidden or closed; says when it was last saved. */
export function useDraftAutosave<T>(draft: T, enabled: boolean): Date | null {
  const [savedAt, setSavedAt] = useState<Date | null>(null);
  const first = useRef(true);
  const pending = useRef<T | null>(null);
  useEffect(() => {
    // Opening the form is not a change: do not announce a save for it.
    if (first.current) {
      first.current = false;
      return;
    }
    if (!enabled) {
      pending.current = null;
      return;
    }
    pending.current = draft;
    const timer = setTimeout(() => {
      if (save(draft)) setSavedAt(new Date());
      pending.current = null;
    }, 400);
    return () => clearTimeout(timer);
  }, [draft, enabled]);
  // A phone may close the page without warning: write what is waiting as soon as it is hidden.
  useEffect(() => {
    const flush = () => {
      if (pending.current !== null && save(pending.current)) pending.current = null;
    };
    const hidden = () => document.visibilityState === 'hidden' && flush();
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', hidden);
    return () => {
      window.removeEventListener('pagehide', flush);
      document.removeEventListener('visibilitychange', hidden);
    };
  }, []);
  return savedAt;
}

function save(draft: unknown): boolean {
  try {
    localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
    return true;
  } catch {
    // Storage full or blocked (private browsing): the form still works, it just is not kept.
    return false;
  }
}
