import { hash } from 'node:crypto';
import { GREAT_BRITAIN, inArea, type Area, type PlaceCache, type PlaceInfo } from './geo.ts';

/** A crime record as written to `crime_records` (without its id). */
export interface CrimeRecordRow {
  source: string;
  record_key: string;
  crime_id: string | null;
  month: string;
  occurred_at: string | null;
  reported_by: string | null;
  falls_within: string | null;
  longitude: number | null;
  latitude: number | null;
  easting: number | null;
  northing: number | null;
  location: string | null;
  lsoa_code: string | null;
  lsoa_name: string | null;
  crime_type: string;
  last_outcome: string | null;
  outcome_month: string | null;
  context: string | null;
  located: number;
  /** the finest cell; its ancestors at 7–9 are derived when read (read-store's cellParents) */
  h3_10: string | null;
  source_file: string;
  source_line: number;
  imported_at: string;
  updated_at: string;
  /** not a column: the place of the row's point as the converter found it, a shortcut for the encoder */
  place?: PlaceInfo | null;
}

/** An outcome row as written to `crime_outcomes`. */
export interface OutcomeRow {
  record_key: string;
  crime_id: string;
  month: string;
  outcome_type: string;
  falls_within: string | null;
  source_file: string;
  source_line: number;
  imported_at: string;
}

/** A stop and search as written to `stop_searches`: every published field. */
export interface StopSearchRow {
  record_key: string;
  force: string | null;
  search_type: string;
  occurred_at: string;
  month: string;
  part_of_operation: number | null;
  operation_name: string | null;
  longitude: number | null;
  latitude: number | null;
  easting: number | null;
  northing: number | null;
  located: number;
  h3_8: string | null;
  gender: string | null;
  age_range: string | null;
  ethnicity_self_defined: string | null;
  ethnicity_officer_defined: string | null;
  legislation: string | null;
  object_of_search: string | null;
  outcome: string | null;
  outcome_linked_to_object: number | null;
  removal_of_more_than_outer_clothing: number | null;
  source_file: string;
  source_line: number;
  imported_at: string;
}

/** What merging a record with another appearance of the same identity looks at and changes. */
export interface MergeState {
  month: string;
  occurred_at: string | null;
  last_outcome: string | null;
  outcome_month: string | null;
}

/**
 * Merges an appearance of a record into the record with its identity; true when the
 * record changed. A record counts once, in the earliest month it appears in (with that
 * appearance's date and time), and keeps the outcome of the latest month that gave one
 * (of two in the same month, the one met first). Merging rows one by one or first merging
 * them among themselves gives the same record and the same answer.
 */
export function mergeInto(record: MergeState, row: MergeState): boolean {
  let changed = false;
  if (row.month < record.month) {
    record.month = row.month;
    record.occurred_at = row.occurred_at;
    changed = true;
  }
  if (row.last_outcome !== null && row.outcome_month !== null && (record.outcome_month === null || row.outcome_month > record.outcome_month)) {
    if (record.last_outcome !== row.last_outcome || record.outcome_month !== row.outcome_month) changed = true;
    record.last_outcome = row.last_outcome;
    record.outcome_month = row.outcome_month;
  }
  return changed;
}

/** A row refused, with the reason a person can act on. */
export class Rejection {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

/** `YYYY-MM` with a month 01-12; checked a character at a time, as it is for every row. */
export function isMonth(s: string): boolean {
  if (s.length !== 7 || s.charCodeAt(4) !== 45) return false;
  const digit = (i: number) => {
    const c = s.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : NaN;
  };
  const year = digit(0) + digit(1) + digit(2) + digit(3);
  const month = digit(5) * 10 + digit(6);
  return !Number.isNaN(year) && month >= 1 && month <= 12;
}

export const orNull = (s: string | undefined): string | null => (s === undefined || s === '' ? null : s);

/**
 * Identity for rows with no reference of their own: a hash of the row's content and how
 * many identical rows came before it in the same file. Reading the same file again gives
 * the same keys; two identical incidents in one file stay two records.
 */
export class ContentKeys {
  private readonly seen = new Map<string, number>();
  private readonly prefix: string;
  constructor(prefix: string) {
    this.prefix = prefix;
  }
  next(fields: readonly string[]): string {
    const digest = hash('sha256', fields.join('\u001f'), 'hex').slice(0, 32);
    const n = (this.seen.get(digest) ?? 0) + 1;
    this.seen.set(digest, n);
    return `${this.prefix}${digest}.${n}`;
  }
}

/** Where a row is, once its coordinates are checked. */
export type Location = { located: false } | PlaceInfo;

/**
 * Checks a longitude/latitude pair given as text. Both empty: unlocated. One empty, not a
 * number, or outside the plausible area: a Rejection naming the values.
 */
export function locate(lonText: string, latText: string, places: PlaceCache, area: Area = GREAT_BRITAIN): Location | Rejection {
  const known = places.byText(lonText, latText);
  if (known !== undefined && inArea(area, known.longitude, known.latitude)) return known;
  if (lonText === '' && latText === '') return { located: false };
  if (lonText === '' || latText === '') return new Rejection(`coordinates incomplete: longitude "${lonText}", latitude "${latText}" (give both or neither)`);
  const longitude = Number(lonText);
  const latitude = Number(latText);
  if (!Number.isFinite(longitude) || !Number.isFinite(latitude)) return new Rejection(`coordinates not numbers: longitude "${lonText}", latitude "${latText}"`);
  const loc = locateNumbers(longitude, latitude, places, area);
  if (!(loc instanceof Rejection) && loc.located) places.rememberText(lonText, latText, loc);
  return loc;
}

export function locateNumbers(longitude: number, latitude: number, places: PlaceCache, area: Area): Location | Rejection {
  if (!inArea(area, longitude, latitude)) {
    return new Rejection(
      `coordinates out of range: longitude ${longitude}, latitude ${latitude} is outside ${area === GREAT_BRITAIN ? 'Great Britain' : 'the area the mapping allows'} (longitude ${area.minLongitude} to ${area.maxLongitude}, latitude ${area.minLatitude} to ${area.maxLatitude})`,
    );
  }
  return places.get(longitude, latitude);
}

/** The location columns of a crime record. */
export function locationColumns(loc: Location): Pick<CrimeRecordRow, 'longitude' | 'latitude' | 'easting' | 'northing' | 'located' | 'h3_10'> {
  if (!loc.located) return { longitude: null, latitude: null, easting: null, northing: null, located: 0, h3_10: null };
  return { longitude: loc.longitude, latitude: loc.latitude, easting: loc.easting, northing: loc.northing, located: 1, h3_10: loc.h3_10 };
}

/**
 * Checks a file's header against the columns a layout needs: every one present, once.
 * Returns each column's position, or a reason to refuse the file.
 */
export function matchHeader(header: readonly string[], expected: readonly string[], what: string): Map<string, number> | string {
  const trimmed = header.map((h) => h.trim());
  const missing = expected.filter((c) => !trimmed.includes(c));
  const extra = trimmed.filter((c) => !expected.includes(c));
  const repeated = trimmed.filter((c, i) => trimmed.indexOf(c) !== i);
  if (missing.length || extra.length || repeated.length || trimmed.length !== expected.length) {
    const parts = [
      missing.length ? `missing ${missing.map((c) => `"${c}"`).join(', ')}` : '',
      extra.length ? `unexpected ${extra.map((c) => `"${c}"`).join(', ')}` : '',
      repeated.length ? `repeated ${repeated.map((c) => `"${c}"`).join(', ')}` : '',
    ].filter(Boolean);
    return `unknown column layout for ${what}: ${parts.join('; ') || `expected ${expected.length} columns, found ${trimmed.length}`}. Expected the header: ${expected.join(',')}`;
  }
  return new Map(trimmed.map((c, i) => [c, i]));
}
