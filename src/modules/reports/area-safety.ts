import { latLngToCell } from 'h3-js';
import type { Db } from '../../platform/db/index.ts';
import { PeelError } from '../../platform/errors.ts';
import { areaContains, compileArea, type AreaGeometry, type CompiledArea } from '../../lib/geometry.ts';
import { monthIndex, monthText } from '../../lib/months.ts';
import { cellGeometry, crimeData, hexes, lsoaBoundaries, lsoas, meta } from '../crime/query.ts';
import type { H3Res } from '../crime/read-store.ts';
import { locatedReportsBetween } from './store.ts';

/**
 * Areas likely safer or more dangerous than the force area's typical area: recorded crime (read
 * through the crime module's query functions) and recent reports, per H3 cell or LSOA. Only
 * counts leave this file; no report's text, reference or point does.
 */

/** No area with fewer events than this is shown, to the public or to staff. */
export const SUPPRESS_BELOW = 10;
const SMOOTHING = 0.5;
const HIGHER = Math.log2(1.5);

export const AREA_SAFETY_METHOD = [
  'For each area (H3 cell or LSOA): crimes = recorded crimes in the last `months` months that have crime data (data.police.uk publishes a month or two late); reports = citizen and feed reports received in the last `days` days that have a location (not held for moderation, not merged).',
  'rate = crimes ÷ months + reports ÷ (days ÷ 30.44): events per month, a report counting as much as a recorded crime.',
  `count = crimes + reports; areas with fewer than suppressBelow (${SUPPRESS_BELOW}) events are left out, so no one can be picked out from a small number.`,
  'average = the median rate of the areas shown (the typical area: half have more, half less), so areas are compared with the others on the map, not with the many left out.',
  'score = log2((rate + 0.5) ÷ (average + 0.5)): 0 is the typical area, +1 twice its rate, −1 half of it; the 0.5 keeps areas with few events from swinging.',
  'level = "higher" when score ≥ log2(1.5) (at least half as much again as the typical area), "lower" when score ≤ −log2(1.5) (two thirds of it or less), else "typical".',
  'With small areas (H3 resolution 9), most quiet areas have too few events to be shown, so few or none can be "lower".',
  'This shows where police know of more crime, not how likely harm is to any one person; areas where people report less appear safer than they are.',
].join(' ');

export type AreaKind = 'cell' | 'lsoa';

export interface AreaSafetyArea {
  /** the H3 cell id, or the LSOA code */
  id: string;
  name: string | null;
  geometry: AreaGeometry;
  count: number;
  crimes: number;
  reports: number;
  rate: number;
  score: number;
  level: 'higher' | 'typical' | 'lower';
}

export interface AreaSafety {
  by: AreaKind;
  res: H3Res | null;
  suppressBelow: number;
  crimePeriod: { from: string; to: string } | null;
  reportPeriod: { from: string; to: string };
  average: number;
  areas: AreaSafetyArea[];
  suppressedAreas: number;
  method: string;
}

const compiled = new WeakMap<object, Array<{ code: string; area: CompiledArea }>>();

export async function areaSafety(db: Db, options: { by: AreaKind; res: H3Res; months: number; days: number; now?: Date }): Promise<AreaSafety> {
  const now = options.now ?? new Date();
  const data = crimeData(db);
  const m = await meta(data, null);
  const crimes = new Map<string, number>();
  const names = new Map<string, string | null>();
  const geometries = new Map<string, AreaGeometry>();
  let crimePeriod: AreaSafety['crimePeriod'] = null;
  let areaOf: (lat: number, lon: number) => string | null;

  if (options.by === 'lsoa') {
    const boundaries = await lsoaBoundaries(data);
    if (!boundaries.length) throw new PeelError('no_boundaries', 'by: LSOA boundaries have not been loaded (peel import), so areas can only be H3 cells; use by=cell.', 409);
    for (const b of boundaries) {
      geometries.set(b.lsoaCode, b.geometry);
      names.set(b.lsoaCode, b.lsoaName);
    }
    let list = compiled.get(boundaries);
    if (!list) {
      list = boundaries.map((b) => ({ code: b.lsoaCode, area: compileArea(b.geometry) }));
      compiled.set(boundaries, list);
    }
    const areas = list;
    areaOf = (lat, lon) => areas.find((a) => areaContains(a.area, lon, lat))?.code ?? null;
    if (m.lastMonth) {
      const r = await lsoas(data, { from: monthText(monthIndex(m.lastMonth) - (options.months - 1)), to: m.lastMonth });
      crimePeriod = r.period;
      // Records whose LSOA has no boundary cannot be drawn: they are left out.
      for (const l of r.lsoas) if (geometries.has(l.lsoaCode)) crimes.set(l.lsoaCode, l.count);
    }
  } else {
    areaOf = (lat, lon) => latLngToCell(lat, lon, options.res);
    if (m.lastMonth) {
      const fc = await hexes(data, { from: monthText(monthIndex(m.lastMonth) - (options.months - 1)), to: m.lastMonth }, options.res);
      crimePeriod = fc.period;
      for (const f of fc.features) crimes.set(f.properties.cell, f.properties.count);
    }
  }

  const reportFrom = new Date(now.getTime() - options.days * 86_400_000).toISOString();
  const reportTo = now.toISOString();
  const reports = new Map<string, number>();
  for (const r of await locatedReportsBetween(db, reportFrom, reportTo)) {
    const id = areaOf(r.latitude, r.longitude);
    if (id) reports.set(id, (reports.get(id) ?? 0) + 1);
  }
  const reportMonths = options.days / 30.44;
  const rows = [...new Set([...crimes.keys(), ...reports.keys()])].map((id) => {
    const c = crimes.get(id) ?? 0;
    const r = reports.get(id) ?? 0;
    return { id, crimes: c, reports: r, count: c + r, rate: (crimePeriod ? c / options.months : 0) + r / reportMonths };
  });
  const shown = rows.filter((r) => r.count >= SUPPRESS_BELOW);
  const suppressedAreas = rows.length - shown.length;
  // Against the areas shown: the many areas left out (a handful of events each) would pull a
  // mean over every area so low that almost no shown area could be "lower".
  const average = median(shown.map((r) => r.rate));
  const areas: AreaSafetyArea[] = [];
  for (const r of shown) {
    const score = Math.log2((r.rate + SMOOTHING) / (average + SMOOTHING));
    areas.push({
      ...r,
      name: names.get(r.id) ?? null,
      geometry: geometries.get(r.id) ?? cellGeometry(r.id),
      rate: round(r.rate),
      score: round(score),
      level: score >= HIGHER ? 'higher' : score <= -HIGHER ? 'lower' : 'typical',
    });
  }
  areas.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return {
    by: options.by,
    res: options.by === 'cell' ? options.res : null,
    suppressBelow: SUPPRESS_BELOW,
    crimePeriod,
    reportPeriod: { from: reportFrom, to: reportTo },
    average: round(average),
    areas,
    suppressedAreas,
    method: AREA_SAFETY_METHOD,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** An H3 cell is named `cell`; an LSOA `lsoaCode` and `lsoaName`. */
const identity = (a: AreaSafety, x: AreaSafetyArea) => (a.by === 'cell' ? { cell: x.id } : { lsoaCode: x.id, lsoaName: x.name ?? x.id });

const header = (a: AreaSafety) => ({ type: 'FeatureCollection' as const, suppressBelow: a.suppressBelow, by: a.by, res: a.res, crimePeriod: a.crimePeriod, reportPeriod: a.reportPeriod, method: a.method });

/** The public map: areas, counts and levels only. */
export function publicCollection(a: AreaSafety) {
  return { ...header(a), features: a.areas.map((x) => ({ type: 'Feature' as const, geometry: x.geometry, properties: { ...identity(a, x), count: x.count, level: x.level } })) };
}

/** The staff map: the same areas with their inputs and score. */
export function staffCollection(a: AreaSafety) {
  return {
    ...header(a),
    average: a.average,
    suppressedAreas: a.suppressedAreas,
    features: a.areas.map((x) => ({ type: 'Feature' as const, geometry: x.geometry, properties: { ...identity(a, x), count: x.count, crimes: x.crimes, reports: x.reports, rate: x.rate, score: x.score, level: x.level } })),
  };
}
