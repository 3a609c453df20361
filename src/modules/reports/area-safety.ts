import { latLngToCell } from 'h3-js';
import type { Db } from '../../platform/db/index.ts';
import { monthIndex, monthText } from '../../lib/months.ts';
import { cellGeometry, crimeData, hexes, meta } from '../crime/query.ts';
import type { H3Res } from '../crime/read-store.ts';
import { locatedReportsBetween } from './store.ts';

/**
 * Areas likely safer or more dangerous than the force area's average: recorded crime (read
 * through the crime module's query functions) and recent reports, per H3 cell. Only counts
 * leave this file; no report's text, reference or point does.
 */

/** No cell with fewer events than this is shown, to the public or to staff. */
export const SUPPRESS_BELOW = 10;
const SMOOTHING = 0.5;
const HIGHER = Math.log2(1.5);

export const AREA_SAFETY_METHOD = [
  'For each H3 cell: crimes = recorded crimes in the last `months` months that have crime data (data.police.uk publishes a month or two late); reports = citizen and feed reports received in the last `days` days that have a location (not held for moderation, not merged).',
  'rate = crimes ÷ months + reports ÷ (days ÷ 30.44): events per month, a report counting as much as a recorded crime.',
  'average = the mean rate over every cell with at least one event.',
  'score = log2((rate + 0.5) ÷ (average + 0.5)): 0 is average, +1 twice the average, −1 half of it; the 0.5 keeps cells with few events from swinging.',
  'level = "higher" when score ≥ log2(1.5) (at least half as much again as average), "lower" when score ≤ −log2(1.5), else "typical".',
  `count = crimes + reports; cells with fewer than suppressBelow (${SUPPRESS_BELOW}) events are left out, so no one can be picked out from a small number.`,
  'This shows where police know of more crime, not how likely harm is to any one person; areas where people report less appear safer than they are.',
].join(' ');

export interface AreaSafetyCell {
  cell: string;
  count: number;
  crimes: number;
  reports: number;
  rate: number;
  score: number;
  level: 'higher' | 'typical' | 'lower';
}

export interface AreaSafety {
  res: H3Res;
  suppressBelow: number;
  crimePeriod: { from: string; to: string } | null;
  reportPeriod: { from: string; to: string };
  average: number;
  cells: AreaSafetyCell[];
  suppressedCells: number;
  method: string;
}

export async function areaSafety(db: Db, options: { res: H3Res; months: number; days: number; now?: Date }): Promise<AreaSafety> {
  const now = options.now ?? new Date();
  const data = crimeData(db);
  const m = await meta(data, null);
  const crimes = new Map<string, number>();
  let crimePeriod: AreaSafety['crimePeriod'] = null;
  if (m.lastMonth) {
    const from = monthText(monthIndex(m.lastMonth) - (options.months - 1));
    const fc = await hexes(data, { from, to: m.lastMonth }, options.res);
    crimePeriod = fc.period;
    for (const f of fc.features) crimes.set(f.properties.cell, f.properties.count);
  }
  const reportFrom = new Date(now.getTime() - options.days * 86_400_000).toISOString();
  const reportTo = now.toISOString();
  const reports = new Map<string, number>();
  for (const r of await locatedReportsBetween(db, reportFrom, reportTo)) {
    const cell = latLngToCell(r.latitude, r.longitude, options.res);
    reports.set(cell, (reports.get(cell) ?? 0) + 1);
  }
  const months = crimePeriod ? options.months : 1;
  const reportMonths = options.days / 30.44;
  const all = new Set([...crimes.keys(), ...reports.keys()]);
  const rows = [...all].map((cell) => {
    const c = crimes.get(cell) ?? 0;
    const r = reports.get(cell) ?? 0;
    return { cell, crimes: c, reports: r, count: c + r, rate: (crimePeriod ? c / months : 0) + r / reportMonths };
  });
  const average = rows.length ? rows.reduce((s, r) => s + r.rate, 0) / rows.length : 0;
  const cells: AreaSafetyCell[] = [];
  let suppressedCells = 0;
  for (const r of rows) {
    if (r.count < SUPPRESS_BELOW) {
      suppressedCells++;
      continue;
    }
    const score = Math.log2((r.rate + SMOOTHING) / (average + SMOOTHING));
    cells.push({ ...r, rate: round(r.rate), score: round(score), level: score >= HIGHER ? 'higher' : score <= -HIGHER ? 'lower' : 'typical' });
  }
  cells.sort((a, b) => b.score - a.score || a.cell.localeCompare(b.cell));
  return { res: options.res, suppressBelow: SUPPRESS_BELOW, crimePeriod, reportPeriod: { from: reportFrom, to: reportTo }, average: round(average), cells, suppressedCells, method: AREA_SAFETY_METHOD };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The public map: cells, counts and levels only. */
export function publicCollection(a: AreaSafety) {
  return {
    type: 'FeatureCollection' as const,
    suppressBelow: a.suppressBelow,
    res: a.res,
    crimePeriod: a.crimePeriod,
    reportPeriod: a.reportPeriod,
    method: a.method,
    features: a.cells.map((c) => ({ type: 'Feature' as const, geometry: cellGeometry(c.cell), properties: { cell: c.cell, count: c.count, level: c.level } })),
  };
}

/** The staff map: the same cells with their inputs and score. */
export function staffCollection(a: AreaSafety) {
  return {
    type: 'FeatureCollection' as const,
    suppressBelow: a.suppressBelow,
    res: a.res,
    crimePeriod: a.crimePeriod,
    reportPeriod: a.reportPeriod,
    average: a.average,
    suppressedCells: a.suppressedCells,
    method: a.method,
    features: a.cells.map((c) => ({ type: 'Feature' as const, geometry: cellGeometry(c.cell), properties: { ...c } })),
  };
}
