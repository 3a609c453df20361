import { cellToParent } from 'h3-js';
import type { PlaceCache } from './geo.ts';
import {
  ContentKeys,
  isMonth,
  locate,
  locationColumns,
  matchHeader,
  orNull,
  Rejection,
  type CrimeRecordRow,
  type OutcomeRow,
  type StopSearchRow,
} from './rows.ts';

/**
 * The three files data.police.uk publishes per force and month, recognised by name
 * (`YYYY-MM-<force>-street.csv`, `…-outcomes.csv`, `…-stop-and-search.csv`) and checked by
 * header, and their rows turned into records.
 */

export type PoliceUkKind = 'street' | 'outcomes' | 'stop-and-search';

export const STREET_HEADER = ['Crime ID', 'Month', 'Reported by', 'Falls within', 'Longitude', 'Latitude', 'Location', 'LSOA code', 'LSOA name', 'Crime type', 'Last outcome category', 'Context'] as const;
export const OUTCOMES_HEADER = ['Crime ID', 'Month', 'Reported by', 'Falls within', 'Longitude', 'Latitude', 'Location', 'LSOA code', 'LSOA name', 'Outcome type'] as const;
export const STOP_AND_SEARCH_HEADER = [
  'Type',
  'Date',
  'Part of a policing operation',
  'Policing operation',
  'Latitude',
  'Longitude',
  'Gender',
  'Age range',
  'Self-defined ethnicity',
  'Officer-defined ethnicity',
  'Legislation',
  'Object of search',
  'Outcome',
  'Outcome linked to object of search',
  'Removal of more than just outer clothing',
] as const;

export interface PoliceUkFile {
  kind: PoliceUkKind;
  month: string;
  force: string;
}

const NAME = /^(\d{4}-\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*?)-(street|outcomes|stop-and-search)\.csv$/;

/** What a file holds, from its name (`.gz` already removed), or null. */
export function recognise(name: string): PoliceUkFile | null {
  const m = NAME.exec(name.toLowerCase());
  if (!m || !isMonth(m[1]!)) return null;
  return { month: m[1]!, force: m[2]!, kind: m[3] as PoliceUkKind };
}

export const NAME_HELP = 'expected a data.police.uk file name: YYYY-MM-<force>-street.csv, YYYY-MM-<force>-outcomes.csv or YYYY-MM-<force>-stop-and-search.csv (optionally .gz)';

/** What each row converter is given besides the row. */
export interface RowContext {
  file: PoliceUkFile;
  /** stored as each record's source file */
  label: string;
  now: string;
  places: PlaceCache;
}

type Converter<T> = (fields: string[], line: number) => T | Rejection;

const wrongCount = (expected: number, found: number) => new Rejection(`wrong column count: expected ${expected}, found ${found}`);

/** Street-level crime: one record per row; the Crime ID is its identity, else the content. */
export function streetConverter(header: readonly string[], ctx: RowContext): Converter<CrimeRecordRow> | string {
  const cols = matchHeader(header, STREET_HEADER, 'a street-level crime file');
  if (typeof cols === 'string') return cols;
  const at = (name: (typeof STREET_HEADER)[number]) => cols.get(name)!;
  const iId = at('Crime ID');
  const iMonth = at('Month');
  const iBy = at('Reported by');
  const iWithin = at('Falls within');
  const iLon = at('Longitude');
  const iLat = at('Latitude');
  const iLoc = at('Location');
  const iLsoa = at('LSOA code');
  const iLsoaName = at('LSOA name');
  const iType = at('Crime type');
  const iOutcome = at('Last outcome category');
  const iContext = at('Context');
  const keys = new ContentKeys('police.uk:');
  const width = STREET_HEADER.length;
  return (f, line) => {
    if (f.length !== width) return wrongCount(width, f.length);
    const month = f[iMonth]!;
    if (!isMonth(month)) return new Rejection(`bad month "${month}" (expected YYYY-MM)`);
    const crimeType = f[iType]!.trim();
    if (!crimeType) return new Rejection('missing crime type');
    const loc = locate(f[iLon]!, f[iLat]!, ctx.places);
    if (loc instanceof Rejection) return loc;
    const crimeId = orNull(f[iId]!.trim());
    const lastOutcome = orNull(f[iOutcome]);
    let lsoaCode = orNull(f[iLsoa]);
    let lsoaName = orNull(f[iLsoaName]);
    if (lsoaCode === null && loc.located && loc.lsoa) {
      lsoaCode = loc.lsoa.code;
      lsoaName = loc.lsoa.name;
    }
    // Every property written out in one literal, in one order: a spread of the location
    // columns made each row an object of its own shape, slower to build and to read back.
    return {
      source: 'police.uk',
      record_key: crimeId ?? keys.next(f),
      crime_id: crimeId,
      month,
      occurred_at: null,
      reported_by: orNull(f[iBy]),
      falls_within: orNull(f[iWithin]),
      longitude: loc.located ? loc.longitude : null,
      latitude: loc.located ? loc.latitude : null,
      easting: loc.located ? loc.easting : null,
      northing: loc.located ? loc.northing : null,
      location: orNull(f[iLoc]),
      lsoa_code: lsoaCode,
      lsoa_name: lsoaName,
      crime_type: crimeType,
      last_outcome: lastOutcome,
      outcome_month: lastOutcome === null ? null : month,
      context: orNull(f[iContext]),
      located: loc.located ? 1 : 0,
      h3_10: loc.located ? loc.h3_10 : null,
      source_file: ctx.label,
      source_line: line,
      imported_at: ctx.now,
      updated_at: ctx.now,
      place: loc.located ? loc : null,
    };
  };
}

/** Outcomes: each row kept; it joins to its crime by Crime ID. Coordinates are not stored, so not checked. */
export function outcomesConverter(header: readonly string[], ctx: RowContext): Converter<OutcomeRow> | string {
  const cols = matchHeader(header, OUTCOMES_HEADER, 'an outcomes file');
  if (typeof cols === 'string') return cols;
  const iId = cols.get('Crime ID')!;
  const iMonth = cols.get('Month')!;
  const iWithin = cols.get('Falls within')!;
  const iType = cols.get('Outcome type')!;
  const keys = new ContentKeys('outcome:');
  const width = OUTCOMES_HEADER.length;
  return (f, line) => {
    if (f.length !== width) return wrongCount(width, f.length);
    const crimeId = f[iId]!.trim();
    if (!crimeId) return new Rejection('missing Crime ID');
    const month = f[iMonth]!;
    if (!isMonth(month)) return new Rejection(`bad month "${month}" (expected YYYY-MM)`);
    const outcomeType = f[iType]!.trim();
    if (!outcomeType) return new Rejection('missing outcome type');
    return {
      record_key: keys.next(f),
      crime_id: crimeId,
      month,
      outcome_type: outcomeType,
      falls_within: orNull(f[iWithin]),
      source_file: ctx.label,
      source_line: line,
      imported_at: ctx.now,
    };
  };
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A police.uk date-time (`2022-10-01T00:30:00+00:00`) as ISO UTC, with the month as published (local). */
export function parseInstant(text: string): { occurredAt: string; month: string } | null {
  const m = INSTANT.exec(text.trim());
  if (!m) return null;
  const month = `${m[1]}-${m[2]}`;
  if (!isMonth(month)) return null;
  const d = new Date(m[8] ? text.trim() : `${text.trim()}Z`);
  if (Number.isNaN(d.getTime())) return null;
  return { occurredAt: d.toISOString(), month };
}

function parseBool(text: string, column: string): number | null | Rejection {
  const t = text.trim().toLowerCase();
  if (t === '') return null;
  if (t === 'true') return 1;
  if (t === 'false') return 0;
  return new Rejection(`"${column}" must be True, False or empty, not "${text}"`);
}

/** Stop and search: every published field kept; identity is the content (with the force). */
export function stopSearchConverter(header: readonly string[], ctx: RowContext): Converter<StopSearchRow> | string {
  const cols = matchHeader(header, STOP_AND_SEARCH_HEADER, 'a stop and search file');
  if (typeof cols === 'string') return cols;
  const c = (name: (typeof STOP_AND_SEARCH_HEADER)[number]) => cols.get(name)!;
  const keys = new ContentKeys(`sas:${ctx.file.force}:`);
  const width = STOP_AND_SEARCH_HEADER.length;
  return (f, line) => {
    if (f.length !== width) return wrongCount(width, f.length);
    const searchType = f[c('Type')]!.trim();
    if (!searchType) return new Rejection('missing Type');
    const dateText = f[c('Date')]!;
    const when = parseInstant(dateText);
    if (!when) return new Rejection(`bad date "${dateText}" (expected e.g. 2022-10-01T00:30:00+00:00)`);
    const loc = locate(f[c('Longitude')]!, f[c('Latitude')]!, ctx.places);
    if (loc instanceof Rejection) return loc;
    const partOf = parseBool(f[c('Part of a policing operation')]!, 'Part of a policing operation');
    if (partOf instanceof Rejection) return partOf;
    const linked = parseBool(f[c('Outcome linked to object of search')]!, 'Outcome linked to object of search');
    if (linked instanceof Rejection) return linked;
    const removal = parseBool(f[c('Removal of more than just outer clothing')]!, 'Removal of more than just outer clothing');
    if (removal instanceof Rejection) return removal;
    const where = locationColumns(loc);
    return {
      record_key: keys.next(f),
      force: ctx.file.force,
      search_type: searchType,
      occurred_at: when.occurredAt,
      month: when.month,
      part_of_operation: partOf,
      operation_name: orNull(f[c('Policing operation')]),
      longitude: where.longitude,
      latitude: where.latitude,
      easting: where.easting,
      northing: where.northing,
      located: where.located,
      h3_8: loc.located ? cellToParent(loc.h3_10, 8) : null,
      gender: orNull(f[c('Gender')]),
      age_range: orNull(f[c('Age range')]),
      ethnicity_self_defined: orNull(f[c('Self-defined ethnicity')]),
      ethnicity_officer_defined: orNull(f[c('Officer-defined ethnicity')]),
      legislation: orNull(f[c('Legislation')]),
      object_of_search: orNull(f[c('Object of search')]),
      outcome: orNull(f[c('Outcome')]),
      outcome_linked_to_object: linked,
      removal_of_more_than_outer_clothing: removal,
      source_file: ctx.label,
      source_line: line,
      imported_at: ctx.now,
    };
  };
}
