/** The forecast API's replies, as the map and the briefing sheet use them. */

export const METHODS = ['peel', 'naive-all', 'naive-last', 'kde', 'prospective', 'sepp'] as const;
export type Method = (typeof METHODS)[number];

export const METHOD_LABELS: Record<Method, string> = {
  peel: 'Peel ensemble (recommended)',
  'naive-all': 'Counts over the training months',
  'naive-last': 'Last month’s counts',
  kde: 'Kernel density',
  prospective: 'Prospective hotspotting',
  sepp: 'Self-exciting point process',
};

import type { ForecastWindow } from '../../../src/modules/forecast/replies.ts';

export type { Accuracy, AreaGeometry, ForecastCell, ForecastReply, ForecastWindow, PatrolArea, PatrolReply } from '../../../src/modules/forecast/replies.ts';

export type PeriodKind = ForecastWindow['by'];

export const PERIOD_CHOICES: Array<{ value: PeriodKind; text: string }> = [
  { value: 'month', text: 'Month' },
  { value: 'week', text: 'Week (needs records with dates)' },
  { value: 'day', text: 'Day (needs records with dates)' },
];

export interface ForecastChoice {
  type: string;
  method: Method;
  by: PeriodKind;
  /** by week or day: whose calendar days count (the server's default, Europe/London, when left out) */
  timeZone?: string;
}

/** The server's time zone for weeks and days when none is given. */
export const DEFAULT_TIME_ZONE = 'Europe/London';

/** Every IANA time zone the browser knows, the default first. */
export function timeZoneChoices(): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [DEFAULT_TIME_ZONE, ...known.filter((z) => z !== DEFAULT_TIME_ZONE)];
}

export interface PatrolChoice extends ForecastChoice {
  areas: number;
  maxCells: number;
}
