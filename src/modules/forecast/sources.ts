import type { Db } from '../../platform/db/index.ts';
import { PeelError } from '../../platform/errors.ts';
import { monthIndex, monthText } from '../../lib/months.ts';
import { LocalDates, parsePeriod, periodLabel, periodOfOccurrence, type PeriodKind } from '../../lib/forecast/periods.ts';
import { BRITISH_NATIONAL_GRID, projectAll, projectionFor } from '../../lib/forecast/projection.ts';
import { allLocatedPoints, crimeDataVersion, locatedEvents, locatedEventsOfOtherTypes, locatedTimedEvents } from '../crime/events.ts';

/**
 * What a product forecast reads, by month or by week or day. By month: every located record
 * on the British National Grid, its month (data.police.uk). By week or day: the records that
 * carry an instant (a force's own extracts, imported with a mapping), each in the local
 * calendar day of `timeZone`, projected as the backtest projects them (the national grid in
 * Great Britain, else a local projection). Periods are integers (src/lib/forecast/periods.ts).
 */

export interface PeriodEvents {
  /** metres in the data's projection */
  easting: Float64Array;
  northing: Float64Array;
  /** the record's period index (absolute) */
  period: Int32Array;
}

export interface ForecastData {
  by: PeriodKind;
  /** null by month: police.uk months are not instants */
  timeZone: string | null;
  /** the first and last period holding a (dated) located record */
  first: number;
  last: number;
  /** every located point: the study area is the cells holding at least one */
  studyPoints: { easting: Float64Array; northing: Float64Array };
  /** the proj4 definition of the metres, or null for the British National Grid as the crime module converts it */
  projection: string | null;
  /** the records of these types (or, with `others`, of every other type) in the periods from…to, inclusive */
  events(types: readonly string[], from: number, to: number, others?: boolean): Promise<PeriodEvents>;
  label(period: number): string;
  /** a period from its text, YYYY-MM by month, a date YYYY-MM-DD by week or day */
  parse(text: string): number;
}

/** Read once per database while the crime data version stays the same (reading them takes a second). */
const kept = new WeakMap<Db, Map<string, Promise<ForecastData>>>();

export async function forecastData(db: Db, by: PeriodKind, timeZone = 'Europe/London'): Promise<ForecastData> {
  const version = await crimeDataVersion(db);
  const key = `${version} ${by} ${by === 'month' ? '' : timeZone}`;
  let forDb = kept.get(db);
  if (!forDb || ![...forDb.keys()].every((k) => k.startsWith(`${version} `))) kept.set(db, (forDb = new Map()));
  let data = forDb.get(key);
  if (!data) {
    data = by === 'month' ? monthly(db) : dated(db, by, timeZone);
    forDb.set(key, data);
    data.catch(() => forDb.delete(key));
  }
  return data;
}

const noRecords = () => new PeelError('no_data', 'there are no located crime records: import some first (peel import police-uk …).');

async function monthly(db: Db): Promise<ForecastData> {
  const points = await allLocatedPoints(db);
  if (!points.firstMonth || !points.lastMonth) throw noRecords();
  return {
    by: 'month',
    timeZone: null,
    first: monthIndex(points.firstMonth),
    last: monthIndex(points.lastMonth),
    studyPoints: { easting: points.easting, northing: points.northing },
    projection: null,
    async events(types, from, to, others = false) {
      const filter = { types, from: monthText(from), to: monthText(to) };
      const e = others ? await locatedEventsOfOtherTypes(db, filter) : await locatedEvents(db, filter);
      return { easting: e.easting, northing: e.northing, period: e.month };
    },
    label: monthText,
    parse: (text) => parsePeriodOrExplain('month', text),
  };
}

async function dated(db: Db, by: Exclude<PeriodKind, 'month'>, timeZone: string): Promise<ForecastData> {
  let dates: LocalDates;
  try {
    dates = new LocalDates(timeZone);
  } catch {
    throw new PeelError('bad_request', `timeZone: "${timeZone.slice(0, 60)}" is not an IANA time zone such as Europe/London or America/Chicago.`);
  }
  const range = await allLocatedPoints(db);
  if (!range.firstMonth || !range.lastMonth) throw noRecords();
  const all = await locatedTimedEvents(db, { from: range.firstMonth, to: range.lastMonth });
  const period = new Float64Array(all.month.length);
  let first = Infinity;
  let last = -Infinity;
  all.occurredAt.forEach((at, i) => {
    period[i] = at ? periodOfOccurrence(by, at, dates) : NaN;
    if (Number.isFinite(period[i]!)) {
      first = Math.min(first, period[i]!);
      last = Math.max(last, period[i]!);
    }
  });
  if (!Number.isFinite(first)) throw new PeelError('no_data', `no located record has a date: forecasting by ${by} needs records imported with their dates and times (peel import csv … --mapping …); police.uk records have months only.`);
  const projection = projectionFor(all.longitude, all.latitude);
  const points = projectAll(projection, all.longitude, all.latitude);
  return {
    by,
    timeZone,
    first,
    last,
    studyPoints: points,
    projection: projection.definition === BRITISH_NATIONAL_GRID ? null : projection.definition,
    async events(types, from, to, others = false) {
      const wanted = new Set(types.map((t) => all.types.indexOf(t)).filter((t) => t >= 0));
      const idx: number[] = [];
      for (let i = 0; i < period.length; i++) if (period[i]! >= from && period[i]! <= to && wanted.has(all.type[i]!) !== others) idx.push(i);
      return {
        easting: Float64Array.from(idx, (i) => points.easting[i]!),
        northing: Float64Array.from(idx, (i) => points.northing[i]!),
        period: Int32Array.from(idx, (i) => period[i]!),
      };
    },
    label: (p) => periodLabel(by, p),
    parse: (text) => parsePeriodOrExplain(by, text),
  };
}

function parsePeriodOrExplain(by: PeriodKind, text: string): number {
  try {
    return parsePeriod(by, text);
  } catch {
    throw new PeelError('bad_request', `period: "${text.slice(0, 40)}" is not a ${by}: give ${by === 'month' ? 'a month, YYYY-MM' : `a date, YYYY-MM-DD${by === 'week' ? ' (any day of the week)' : ''}`}.`);
  }
}
