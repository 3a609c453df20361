import { useEffect, useState } from 'react';

let asked: Promise<string | null> | null = null;

/** The configured basemap style, asked once a page load; null (no basemap) when none is set or the server cannot be reached. */
function mapStyle(): Promise<string | null> {
  asked ??= fetch('/api/public/map', { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(3000) })
    .then((r) => (r.ok ? (r.json() as Promise<{ styleUrl?: unknown }>) : null))
    .then((body) => (typeof body?.styleUrl === 'string' ? body.styleUrl : null))
    .catch(() => {
      // Offline: no basemap now, but ask again next time.
      asked = null;
      return null;
    });
  return asked;
}

/**
 * The basemap for the report pages' maps: undefined while it is being asked for (make the
 * map once it is known), then the style's address or null. A style that cannot be loaded
 * later (offline) falls back to no basemap in makeMap.
 */
export function useMapStyle(): string | null | undefined {
  const [style, setStyle] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void mapStyle().then((s) => {
      if (live) setStyle(s);
    });
    return () => {
      live = false;
    };
  }, []);
  return style;
}
