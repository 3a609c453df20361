import { useCallback, useEffect, useRef, useState } from 'react';
import { api, messageOf } from '../api.ts';
import type { Category } from './types.ts';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
  /** replaces the data with a newer copy the API returned (after a change) */
  replace: (data: T) => void;
}

/** GETs a path and keeps the answer; a newer path replaces an older answer still in flight. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [round, setRound] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    if (path === null) return;
    const request = ++latest.current;
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    api<T>(path, { signal: controller.signal }).then(
      (answer) => {
        if (request !== latest.current) return;
        setData(answer);
        setLoading(false);
      },
      (caught: unknown) => {
        if (request !== latest.current || (caught instanceof DOMException && caught.name === 'AbortError')) return;
        setError(messageOf(caught));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [path, round]);

  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, loading, reload, replace: setData };
}

export function useCategories(): Loaded<{ categories: Category[] }> {
  return useApi<{ categories: Category[] }>('/api/evidence/categories');
}

/** The category's name, or its code when the list has not loaded or does not hold it. */
export function categoryName(categories: Category[] | undefined, code: string): string {
  return categories?.find((c) => c.code === code)?.name ?? code;
}
