import type { Accuracy, PeriodKind } from './types.ts';

/** The forecast's figures in plain words, for the accuracy card and the briefing sheet. */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function monthName(month: string): string {
  const [year, m] = month.split('-');
  return `${MONTHS[Number(m) - 1] ?? m} ${year}`;
}

/** "Monday 23 December 2019" (a calendar date, whatever the reader's time zone) */
function dayName(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${DAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]} ${d} ${MONTHS[m - 1] ?? m} ${y}`;
}

/** A period by its label: "November 2022", "the week of Monday 23 December 2019", "Monday 23 December 2019" */
export function periodName(by: PeriodKind, label: string): string {
  if (by === 'month') return monthName(label);
  return by === 'week' ? `the week of ${dayName(label)}` : dayName(label);
}

/** "1 month", "12 weeks", "182 days" */
export const periods = (by: PeriodKind, n: number) => `${n} ${by}${n === 1 ? '' : 's'}`;

/** "31%", or with one decimal below 10% ("2.4%"), so small areas' shares still differ */
export function percent(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const p = x * 100;
  return p < 9.95 && p > 0 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

/** "burglaries", or "crimes recorded as Vehicle crime" */
export function crimesOf(types: readonly string[]): string {
  if (types.length === 1 && types[0] === 'Burglary') return 'burglaries';
  if (types.length === 1 && types[0] === 'Robbery') return 'robberies';
  return `crimes recorded as ${types.join(' or ')}`;
}

export function hitRate(accuracy: Accuracy, method: string, coverage: number): number | null {
  return accuracy.methods.find((m) => m.method === method)?.coverage.find((c) => Math.abs(c.coverage - coverage) < 1e-9)?.meanHitRate ?? null;
}

export function pai(accuracy: Accuracy, method: string, coverage: number): number | null {
  return accuracy.methods.find((m) => m.method === method)?.coverage.find((c) => Math.abs(c.coverage - coverage) < 1e-9)?.meanPai ?? null;
}

const span = (a: Accuracy) => {
  if (a.testPeriods === 1) return `${a.by === 'month' ? 'in' : 'on'} ${periodName(a.by, a.testFrom)}`;
  return `over the ${periods(a.by, a.testPeriods)} ${a.by === 'month' ? '' : 'from '}${periodName(a.by, a.testFrom)} to ${periodName(a.by, a.testTo)}`;
};

/**
 * "Over the 12 months November 2021 to October 2022, the 5% of cells this forecast picked
 * each month held 29% of that month's burglaries; last month's counts alone would have
 * found 21%, and the previous 12 months' counts 28%."
 */
export function accuracySentence(accuracy: Accuracy, types: readonly string[], coverage: number): string {
  const own = hitRate(accuracy, accuracy.method, coverage);
  const last = hitRate(accuracy, 'naive-last', coverage);
  const all = hitRate(accuracy, 'naive-all', coverage);
  const share = `${Math.round(coverage * 100)}%`;
  const lead = `${span(accuracy)[0]!.toUpperCase()}${span(accuracy).slice(1)}, the ${share} of cells this forecast picked each ${accuracy.by} held ${percent(own)} of that ${accuracy.by}’s ${crimesOf(types)}`;
  const baselines: string[] = [];
  if (accuracy.method !== 'naive-last') baselines.push(`last ${accuracy.by}’s counts alone would have found ${percent(last)}`);
  if (accuracy.method !== 'naive-all') baselines.push(`the previous ${periods(accuracy.by, accuracy.trainPeriods)}’ counts ${percent(all)}`);
  return `${lead}${baselines.length ? `; ${baselines.join(', and ')}` : ''}.`;
}

/** "PAI 5.8: these cells held 5.8 times their share of the area's crime." */
export function paiSentence(accuracy: Accuracy, coverage: number): string {
  const p = pai(accuracy, accuracy.method, coverage);
  if (p === null) return '';
  return `That is ${p.toFixed(1)} times as much crime as the same number of cells chosen at random would hold on average (the predictive accuracy index, PAI).`;
}

export function computedWhen(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
