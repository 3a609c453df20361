import type { Db } from '../../platform/db/index.ts';

/**
 * Wakes the live feeds of this process when a report or triage step commits. Feeds also
 * re-read the table once a second, which is how they learn of another server's writes;
 * this only makes the local case immediate.
 */
export interface FeedNotifier {
  notify(): void;
  subscribe(listener: () => void): () => void;
}

const notifiers = new WeakMap<object, FeedNotifier>();

/** The notifier for one database handle (one per running app). */
export function feedNotifier(db: Db): FeedNotifier {
  let n = notifiers.get(db);
  if (!n) {
    const listeners = new Set<() => void>();
    n = {
      notify: () => {
        for (const l of listeners) l();
      },
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    notifiers.set(db, n);
  }
  return n;
}
