/**
 * Forecast periods: calendar months (data.police.uk), ISO weeks (Monday to Sunday) and days,
 * each numbered by an integer so consecutive periods differ by one.
 *   month: year × 12 + month − 1 (as src/lib/months.ts), label YYYY-MM
 *   day:   days since 1970-01-01 of the local date, label YYYY-MM-DD
 *   week:  ⌊(day + 3) / 7⌋, so a week runs Monday to Sunday (1970-01-01 was a Thursday);
 *          label the date of its Monday, YYYY-MM-DD
 * Local dates are taken in a named time zone: a crime at 23:30 in Chicago belongs to that
 * Chicago day, not to the next UTC day.
 */
import { monthIndex, monthText } from '../months.ts';

export const PERIOD_KINDS = ['month', 'week', 'day'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a calendar date (proleptic Gregorian). */
export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

function dateText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const weekOfDay = (day: number) => Math.floor((day + 3) / 7);

/** The period holding a local calendar date. */
export function periodOfDate(kind: PeriodKind, year: number, month: number, day: number): number {
  if (kind === 'month') return year * 12 + month - 1;
  const d = dayNumber(year, month, day);
  return kind === 'day' ? d : weekOfDay(d);
}

/** The label of a period: YYYY-MM for a month, YYYY-MM-DD for a day or a week's Monday. */
export function periodLabel(kind: PeriodKind, index: number): string {
  if (kind === 'month') return monthText(index);
  return dateText(kind === 'day' ? index : index * 7 - 3);
}

/**
 * A period from its text: YYYY-MM for months; YYYY-MM-DD for days, and for weeks any date in
 * the week. Throws a RangeError naming the expected form.
 */
export function parsePeriod(kind: PeriodKind, text: string): number {
  if (kind === 'month') return monthIndex(text);
  const m = DATE.exec(text);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  if (!m || mo < 1 || mo > 12 || d < 1 || d > 31 || new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) {
    throw new RangeError(`bad ${kind} "${text}" (expected a date YYYY-MM-DD)`);
  }
  return periodOfDate(kind, y, mo, d);
}

/** Reads local calendar dates of instants in one time zone (cached formatter). */
export class LocalDates {
  private readonly format: Intl.DateTimeFormat;
  constructor(timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  /** The local date of an instant, as [year, month, day]. */
  dateOf(ms: number): [number, number, number] {
    const parts = this.format.formatToParts(new Date(ms));
    const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
    return [get('year'), get('month'), get('day')];
  }
}

/**
 * The period of a stored occurrence: an ISO instant ("…T…Z" or with an offset) read in the
 * time zone, or a bare local date "YYYY-MM-DD" taken as it is. NaN for anything else.
 */
export function periodOfOccurrence(kind: PeriodKind, occurredAt: string, dates: LocalDates): number {
  const bare = DATE.exec(occurredAt);
  if (bare) return periodOfDate(kind, Number(bare[1]), Number(bare[2]), Number(bare[3]));
  const ms = Date.parse(occurredAt);
  if (!Number.isFinite(ms)) return NaN;
  const [y, mo, d] = dates.dateOf(ms);
  return periodOfDate(kind, y, mo, d);
}
