/** Filters to query strings and back, and the month arithmetic the filter panel needs. Pure functions. */
import { DEFAULT_RES, RESOLUTIONS, type CrimeFilters, type CrimeMeta } from './types.ts';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function isMonth(value: string | null | undefined): value is string {
  return typeof value === 'string' && MONTH.test(value);
}

/** 'YYYY-MM' plus n months (n may be negative). */
export function addMonths(month: string, n: number): string {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (mon - 1) + n;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
}

/** Every month from first to last inclusive. */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  for (let m = first; m <= last && months.length < 1200; m = addMonths(m, 1)) months.push(m);
  return months;
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "November 2021" */
export function monthLabel(month: string): string {
  const [year, mon] = month.split('-');
  return `${monthNames[Number(mon) - 1] ?? mon} ${year}`;
}

/** "Nov 2021", for chart axes and tables */
export function shortMonthLabel(month: string): string {
  const [year, mon] = month.split('-');
  return `${(monthNames[Number(mon) - 1] ?? String(mon)).slice(0, 3)} ${year}`;
}

/** The last 12 months of the data (or all of it, if there is less). */
/** The server's default period (the last 12 months), but not before the data starts. */
export function defaultFilters(meta: CrimeMeta): CrimeFilters {
  const last = meta.lastMonth ?? '';
  const first = meta.firstMonth ?? '';
  const period = meta.defaultPeriod && isMonth(meta.defaultPeriod.from) && isMonth(meta.defaultPeriod.to) ? meta.defaultPeriod : null;
  const to = period?.to ?? last;
  let from = period?.from ?? (last ? addMonths(last, -11) : '');
  if (first && from < first) from = first;
  return { from, to, types: [], outcome: '', res: DEFAULT_RES };
}

/**
 * The filters written in the page's address (so a view can be bookmarked or shared),
 * checked against what the data holds; anything missing or wrong takes its default.
 */
export function filtersFromSearch(search: URLSearchParams, meta: CrimeMeta): CrimeFilters {
  const defaults = defaultFilters(meta);
  const inRange = (m: string | null): m is string =>
    isMonth(m) && (!meta.firstMonth || m >= meta.firstMonth) && (!meta.lastMonth || m <= meta.lastMonth);
  let from = inRange(search.get('from')) ? search.get('from')! : defaults.from;
  let to = inRange(search.get('to')) ? search.get('to')! : defaults.to;
  if (from > to) [from, to] = [to, from];
  const known = new Set(meta.crimeTypes);
  const types = search.getAll('type').filter((t) => known.has(t));
  const outcomeParam = search.get('outcome') ?? '';
  const outcomes = new Set(meta.outcomes.filter((o): o is string => typeof o === 'string'));
  const outcome = outcomeParam === 'none' || outcomes.has(outcomeParam) ? outcomeParam : '';
  const resParam = Number(search.get('res'));
  const res = (RESOLUTIONS as readonly number[]).includes(resParam) ? resParam : defaults.res;
  return { from, to, types, outcome, res };
}

/** The query parameters the API takes for these filters (`type` repeated). */
export function filterParams(filters: CrimeFilters, options: { types?: boolean; outcome?: boolean; res?: boolean } = {}): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  if (options.types !== false) for (const type of filters.types) params.append('type', type);
  if (options.outcome !== false && filters.outcome) params.set('outcome', filters.outcome);
  if (options.res !== false) params.set('res', String(filters.res));
  return params;
}

/** The filters as the page's own address: only what differs from the defaults. */
export function searchFromFilters(filters: CrimeFilters, meta: CrimeMeta): URLSearchParams {
  const defaults = defaultFilters(meta);
  const params = new URLSearchParams();
  if (filters.from !== defaults.from || filters.to !== defaults.to) {
    params.set('from', filters.from);
    params.set('to', filters.to);
  }
  for (const type of filters.types) params.append('type', type);
  if (filters.outcome) params.set('outcome', filters.outcome);
  if (filters.res !== defaults.res) params.set('res', String(filters.res));
  return params;
}

/** `path?params&extra` */
export function withParams(path: string, params: URLSearchParams, extra: Record<string, string | number> = {}): string {
  const all = new URLSearchParams(params);
  for (const [key, value] of Object.entries(extra)) all.set(key, String(value));
  const text = all.toString();
  return text ? `${path}?${text}` : path;
}

export function sameFilters(a: CrimeFilters, b: CrimeFilters): boolean {
  return (
    a.from === b.from &&
    a.to === b.to &&
    a.outcome === b.outcome &&
    a.res === b.res &&
    a.types.length === b.types.length &&
    a.types.every((t, i) => t === b.types[i])
  );
}
