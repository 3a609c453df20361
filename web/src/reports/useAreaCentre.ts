import { useEffect, useState } from 'react';
import { cornersOf, type AreaSafety } from './area-safety-types.ts';

/**
 * Where the force's area is, for the report map to open on: the middle of the public
 * area-safety cells (which hold only aggregates). Null until known, or if it cannot be.
 */
export function useAreaCentre(): [number, number] | null {
  const [centre, setCentre] = useState<[number, number] | null>(() => {
    const kept = localStorage.getItem('peel-area-centre');
    return kept ? (JSON.parse(kept) as [number, number]) : null;
  });
  useEffect(() => {
    if (centre) return;
    const controller = new AbortController();
    fetch('/api/public/area-safety?res=7&days=365', { signal: controller.signal })
      .then((r) => (r.ok ? (r.json() as Promise<AreaSafety>) : null))
      .then((data) => {
        let [lng, lat, n] = [0, 0, 0];
        for (const feature of data?.features ?? []) {
          for (const [x, y] of cornersOf(feature)) {
            lng += x ?? 0;
            lat += y ?? 0;
            n++;
          }
        }
        if (n === 0) return;
        const found: [number, number] = [lng / n, lat / n];
        localStorage.setItem('peel-area-centre', JSON.stringify(found));
        setCentre(found);
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, [centre]);
  return centre;
}
