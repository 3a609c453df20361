/** Loading the map page's data: the metadata once, then everything the filters select. */
import { useEffect, useRef, useState } from 'react';
import { api, messageOf } from '../api.ts';
import { filterParams, withParams } from './query.ts';
import { DEFAULT_RES, type CrimeFilters, type CrimeMeta, type HexCollection, type HotspotReply, type MonthCount, type OutcomeCount, type Period, type TypeCount } from './types.ts';

export const HOTSPOT_COUNT = 10;

/**
 * Replies asked for before the page needed them (see `prefetchDefaultView`), by URL.
 * Each is used once, by the first request for the same URL.
 */
const prefetched = new Map<string, Promise<unknown>>();

/**
 * Asks for the metadata and the default view (every type and outcome, the server's default
 * period, hexagon size 8) as soon as the page's code arrives, so the server works while the
 * browser is still starting the map. The default view's URLs name no period, so they are
 * the same URLs the page asks for before anyone changes a filter.
 */
export function prefetchDefaultView(): void {
  const defaults = crimeUrls({ from: '', to: '', types: [], outcome: '', res: DEFAULT_RES });
  for (const url of ['/api/crime/meta', ...Object.values(defaults)]) {
    const reply = api<unknown>(url);
    reply.catch(() => undefined); // the page reports the failure when it asks for the reply
    prefetched.set(url, reply);
    // Unused after a while (the page was left, or opened with other filters): drop it.
    setTimeout(() => prefetched.delete(url), 30_000);
  }
}

/** `api`, or the reply already asked for by `prefetchDefaultView`. */
function load<T>(url: string, signal: AbortSignal): Promise<T> {
  const early = prefetched.get(url);
  if (early) {
    prefetched.delete(url);
    return early as Promise<T>;
  }
  return api<T>(url, { signal });
}

export function useCrimeMeta(): { meta: CrimeMeta | null; error: string | null } {
  const [meta, setMeta] = useState<CrimeMeta | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    load<CrimeMeta>('/api/crime/meta', controller.signal).then(
      (reply) => {
        if (!controller.signal.aborted) setMeta({ ...reply, outcomes: reply.outcomes ?? [], crimeTypes: reply.crimeTypes ?? [] });
      },
      (caught: unknown) => {
        if (!controller.signal.aborted) setError(messageOf(caught));
      },
    );
    return () => controller.abort();
  }, []);
  return { meta, error };
}

/**
 * The API addresses for these filters; the page's download links use the same ones with
 * format=csv. Filters with no period (from and to empty) take the server's default period.
 */
export function crimeUrls(chosen: CrimeFilters, defaultPeriod?: Period) {
  const isDefault = defaultPeriod && chosen.from === defaultPeriod.from && chosen.to === defaultPeriod.to;
  const filters = isDefault ? { ...chosen, from: '', to: '' } : chosen;
  const all = filterParams(filters);
  const noRes = filterParams(filters, { res: false });
  return {
    hexes: withParams('/api/crime/hexes', all),
    timeseries: withParams('/api/crime/timeseries', noRes),
    hotspots: withParams('/api/crime/hotspots', all, { n: HOTSPOT_COUNT }),
    // The counts beside each choice are for the other filters, so they say what ticking it would add.
    types: withParams('/api/crime/types', filterParams(filters, { types: false, res: false })),
    outcomes: withParams('/api/crime/outcomes', filterParams(filters, { outcome: false, res: false })),
  };
}

export interface CrimeData {
  hexes: HexCollection | null;
  series: MonthCount[] | null;
  hotspots: HotspotReply | null;
  types: TypeCount[] | null;
  outcomes: OutcomeCount[] | null;
  /** the filters the data on screen is for */
  shown: CrimeFilters | null;
  /** true while newer data is on its way; the old data stays on screen until it comes */
  updating: boolean;
  errors: string[];
}

const EMPTY: CrimeData = { hexes: null, series: null, hotspots: null, types: null, outcomes: null, shown: null, updating: false, errors: [] };

/**
 * Fetches the map, chart, hotspot and count data for the filters, all at once. A
 * newer set of filters aborts the requests still running for the older one, and
 * each part of the page keeps what it shows until its new data arrives.
 */
export function useCrimeData(filters: CrimeFilters | null, defaultPeriod: Period | undefined): CrimeData {
  const [data, setData] = useState<CrimeData>(EMPTY);

  useEffect(() => {
    if (!filters) return;
    const controller = new AbortController();
    const { signal } = controller;
    const urls = crimeUrls(filters, defaultPeriod);
    setData((d) => ({ ...d, updating: true, errors: [] }));

    const part = <T, K extends keyof CrimeData>(url: string, key: K, pick: (reply: T) => CrimeData[K]) =>
      load<T>(url, signal).then(
        (reply) => {
          if (!signal.aborted) setData((d) => ({ ...d, [key]: pick(reply) }));
        },
        (caught: unknown) => {
          if (!signal.aborted) setData((d) => ({ ...d, errors: [...d.errors, messageOf(caught)] }));
        },
      );

    void Promise.all([
      part<HexCollection, 'hexes'>(urls.hexes, 'hexes', (r) => r),
      part<{ series: MonthCount[] }, 'series'>(urls.timeseries, 'series', (r) => r.series),
      part<HotspotReply, 'hotspots'>(urls.hotspots, 'hotspots', (r) => r),
      part<{ types: TypeCount[] }, 'types'>(urls.types, 'types', (r) => r.types),
      part<{ outcomes: OutcomeCount[] }, 'outcomes'>(urls.outcomes, 'outcomes', (r) => r.outcomes),
    ]).then(() => {
      if (!signal.aborted) setData((d) => ({ ...d, shown: filters, updating: false }));
    });
    return () => controller.abort();
  }, [filters, defaultPeriod]);

  return data;
}

/**
 * The value once it has stopped changing for `ms`, so that ticking several boxes in a
 * row asks the server once. The first value that is not null comes at once; an equal
 * value keeps the old one.
 */
export function useDebounced<T>(value: T | null, ms: number, equal: (a: T, b: T) => boolean): T | null {
  const [settled, setSettled] = useState(value);
  const settledRef = useRef(value);
  useEffect(() => {
    const previous = settledRef.current;
    if (value === null || (previous !== null && equal(value, previous))) return;
    const apply = () => {
      settledRef.current = value;
      setSettled(value);
    };
    if (previous === null) {
      apply();
      return;
    }
    const timer = setTimeout(apply, ms);
    return () => clearTimeout(timer);
  }, [value, ms, equal]);
  return settled;
}
