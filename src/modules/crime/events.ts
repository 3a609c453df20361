import type { Db } from '../../platform/db/index.ts';
import { monthIndex } from '../../lib/months.ts';
import { distinctBngPoints, locatedBngRows, locatedBngRowsExcept, locatedMonthRange, locatedTimedRows, readDataVersion } from './read-store.ts';

/** British National Grid metres to WGS84, as the importer converts records (for drawing grid cells). */
export { fromBng } from './import/geo.ts';

/**
 * Located crime records as compact point arrays, for other modules' numerical work (the
 * forecast backtest): British National Grid metres and month indexes, no personal data.
 */

export interface LocatedEvents {
  /** BNG metres, one entry per record */
  easting: Float64Array;
  northing: Float64Array;
  /** the record's month as year × 12 + month − 1 (see src/lib/months.ts) */
  month: Int32Array;
}

export interface LocatedPoints {
  easting: Float64Array;
  northing: Float64Array;
  /** the first and last month holding a located record (YYYY-MM), null when there is none */
  firstMonth: string | null;
  lastMonth: string | null;
}

export interface LocatedEventsFilter {
  /** crime types as published, e.g. "Burglary" */
  types: readonly string[];
  /** YYYY-MM, inclusive */
  from: string;
  to: string;
}

/**
 * The records of these crime types in the months from…to that have a location on the
 * British National Grid (records without coordinates, or outside Great Britain, are left out).
 */
export async function locatedEvents(db: Db, filter: LocatedEventsFilter): Promise<LocatedEvents> {
  return asEvents(await locatedBngRows(db, filter));
}

/** The located records of every crime type except the ones in the filter, in the months from…to. */
export async function locatedEventsOfOtherTypes(db: Db, filter: LocatedEventsFilter): Promise<LocatedEvents> {
  return asEvents(await locatedBngRowsExcept(db, filter));
}

function asEvents(rows: Array<{ easting: number; northing: number; month: string }>): LocatedEvents {
  const out: LocatedEvents = { easting: new Float64Array(rows.length), northing: new Float64Array(rows.length), month: new Int32Array(rows.length) };
  rows.forEach((r, i) => {
    out.easting[i] = r.easting;
    out.northing[i] = r.northing;
    out.month[i] = monthIndex(r.month);
  });
  return out;
}

/**
 * Every distinct BNG point at which a record of any type was located, over the whole
 * imported period: what a study area of "cells with at least one located crime" is built from.
 */
export async function allLocatedPoints(db: Db): Promise<LocatedPoints> {
  const rows = await distinctBngPoints(db);
  const { first, last } = await locatedMonthRange(db);
  return { easting: Float64Array.from(rows, (r) => r.easting), northing: Float64Array.from(rows, (r) => r.northing), firstMonth: first, lastMonth: last };
}

/**
 * The crime data version: a number every import that changes crime records raises, so
 * another module's cache of results computed from them knows when it is stale.
 */
export async function crimeDataVersion(db: Db): Promise<number> {
  return readDataVersion(db);
}

/** Located records with their instants, for forecasting by day or week (any place on Earth). */
export interface LocatedTimedEvents {
  /** WGS84 degrees */
  longitude: Float64Array;
  latitude: Float64Array;
  /** the record's month, YYYY-MM */
  month: string[];
  /** ISO 8601: an instant in UTC ("…T…Z") or a local date ("YYYY-MM-DD"), or null when the source had none */
  occurredAt: Array<string | null>;
  /** index into `types` */
  type: Int32Array;
  types: string[];
}

/** Every located record of any type in the months from…to (YYYY-MM, inclusive), with its instant and type. */
export async function locatedTimedEvents(db: Db, filter: { from: string; to: string }): Promise<LocatedTimedEvents> {
  const rows = await locatedTimedRows(db, filter);
  const types: string[] = [];
  const typeIndex = new Map<string, number>();
  const type = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    let t = typeIndex.get(r.crime_type);
    if (t === undefined) {
      t = types.length;
      types.push(r.crime_type);
      typeIndex.set(r.crime_type, t);
    }
    type[i] = t;
  });
  return {
    longitude: Float64Array.from(rows, (r) => r.longitude),
    latitude: Float64Array.from(rows, (r) => r.latitude),
    month: rows.map((r) => r.month),
    occurredAt: rows.map((r) => r.occurred_at),
    type,
    types,
  };
}
