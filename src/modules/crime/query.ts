import { getResolution, isValidCell } from 'h3-js';
import type { Actor } from '../../platform/actor.ts';
import * as audit from '../../platform/audit/service.ts';
import type { Db } from '../../platform/db/index.ts';
import { PeelError } from '../../platform/errors.ts';
import { compileArea, type AreaGeometry, type Bbox, type PolygonGeometry, type MultiPolygonGeometry } from '../../lib/geometry.ts';
import { percentChange, poissonChangeExactP, poissonChangeZ } from '../../lib/poisson.ts';
import {
  cellPolygon,
  cellFeatureHead,
  countByCell,
  countByLsoa,
  countByMonth,
  countByOutcome,
  countByType,
  countCodes,
  countUnlocated,
  CubeCache,
  monthNumber,
  monthText,
  select,
  selectedRows,
  type Cube,
  type CubeQuery,
} from './cube.ts';
import * as store from './read-store.ts';
import type { H3Res, LsoaBoundary, StopSearchGrouping } from './read-store.ts';

/**
 * The crime query service: what the map, charts and tables ask of the records. Aggregates
 * come from the in-memory cube (see cube.ts); records themselves from the database, and
 * every look at them is audited.
 */

/** The filters every query takes. Months are 'YYYY-MM', inclusive. */
export interface CrimeFilter {
  from?: string;
  to?: string;
  types?: string[];
  /** null: no outcome recorded */
  outcomes?: Array<string | null>;
  sources?: string[];
  bbox?: Bbox;
  polygon?: AreaGeometry;
}

export interface Period {
  from: string;
  to: string;
}

/** The longest period a query may span: 100 years of months. */
export const MAX_PERIOD_MONTHS = 1200;

/** What the query functions work on: the database and its cube. One per database. */
export interface CrimeData {
  db: Db;
  cubes: CubeCache;
  boundaries: { version: number; list: Promise<LsoaBoundary[]> } | null;
}

const registry = new WeakMap<Db, CrimeData>();

/** The query context for a database: made once, shared by every route (and the benchmark). */
export function crimeData(db: Db, options: { checkIntervalMs?: number } = {}): CrimeData {
  let data = registry.get(db);
  if (!data) {
    data = { db, cubes: new CubeCache(db, options), boundaries: null };
    registry.set(db, data);
  }
  return data;
}

// ——— periods and filters ———

const currentMonth = () => {
  const d = new Date();
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};

/** The last 12 months that have data (ending with the latest month with any record), or the last 12 to now when there is none. */
function defaultPeriod(cube: Cube): { from: number; to: number } {
  const to = cube.lastMonth >= 0 ? cube.lastMonth : currentMonth();
  return { from: to - 11, to };
}

function parseMonth(value: string, name: string): number {
  const n = monthNumber(value);
  if (Number.isNaN(n)) throw new PeelError('invalid_request', `${name}: "${value}" is not a month as YYYY-MM.`);
  return n;
}

/**
 * from/to as month numbers. Neither: the last 12 months that have data. Only `from`: from
 * then to the latest month with data. Only `to`: the 12 months ending then.
 */
export function resolvePeriod(cube: Cube, from: string | undefined, to: string | undefined, names: [string, string] = ['from', 'to']): { from: number; to: number } {
  const def = defaultPeriod(cube);
  if (from === undefined && to === undefined) return def;
  const f = from === undefined ? undefined : parseMonth(from, names[0]);
  const t = to === undefined ? undefined : parseMonth(to, names[1]);
  const start = f ?? t! - 11;
  const end = t ?? Math.max(f!, def.to);
  if (start > end) throw new PeelError('invalid_period', `${names[0]} (${monthText(start)}) is after ${names[1]} (${monthText(end)}).`);
  if (end - start + 1 > MAX_PERIOD_MONTHS) throw new PeelError('invalid_period', `${names[0]}: a period may span at most ${MAX_PERIOD_MONTHS} months.`);
  return { from: start, to: end };
}

const periodText = (p: { from: number; to: number }): Period => ({ from: monthText(p.from), to: monthText(p.to) });

function toCubeQuery(filter: CrimeFilter, period: { from: number; to: number }, area = filter.polygon ? compileArea(filter.polygon) : null): CubeQuery {
  return {
    from: period.from,
    to: period.to,
    types: filter.types ?? null,
    outcomes: filter.outcomes ?? null,
    sources: filter.sources ?? null,
    bbox: filter.bbox ?? null,
    area,
  };
}

/** The SQL-side filters equivalent to a query (the polygon aside), for cross-checks and benchmarks. */
export function sqlFilter(filter: CrimeFilter, period: Period): store.SqlFilter {
  return { from: period.from, to: period.to, types: filter.types ?? null, outcomes: filter.outcomes ?? null, sources: filter.sources ?? null, bbox: filter.bbox ?? null };
}

const byCountDesc = <T extends { count: number }>(key: (x: T) => string | null) => (a: T, b: T) => b.count - a.count || String(key(a) ?? '').localeCompare(String(key(b) ?? ''));

/** The resolution of a cell id, or a 400 naming `cell`. */
export function cellResolution(cell: string): H3Res {
  if (!isValidCell(cell)) throw new PeelError('invalid_cell', `cell: "${cell.slice(0, 40)}" is not an H3 cell.`);
  const res = getResolution(cell);
  if (res < 7 || res > 10) throw new PeelError('invalid_cell', `cell: resolution ${res} is not offered; use a cell of resolution 7 to 10.`);
  return res as H3Res;
}

// ——— the map ———

/** A cell's hexagon as a GeoJSON Polygon ([lon, lat], closed ring). */
export const cellGeometry = (cell: string): PolygonGeometry => cellPolygon(cell);

export interface HexFeature {
  type: 'Feature';
  geometry: PolygonGeometry;
  properties: { cell: string; count: number };
}

export interface HexCollection {
  type: 'FeatureCollection';
  features: HexFeature[];
  res: H3Res;
  period: Period;
  /** records matching the filters (with or without a location) */
  total: number;
  /** of those, the ones with no location, which no cell holds */
  unlocated: number;
}

/** Counts by H3 cell as GeoJSON: one hexagon per cell holding at least one matching record. */
export async function hexes(data: CrimeData, filter: CrimeFilter, res: H3Res): Promise<HexCollection> {
  const cube = await data.cubes.get();
  const period = resolvePeriod(cube, filter.from, filter.to);
  const sel = select(cube, toCubeQuery(filter, period));
  const features: HexFeature[] = countByCell(cube, sel, res).map(({ cell, count }) => ({ type: 'Feature', geometry: cellPolygon(cell), properties: { cell, count } }));
  return { type: 'FeatureCollection', features, res, period: periodText(period), total: sel.count, unlocated: countUnlocated(sel, cube) };
}

/**
 * The same collection as UTF-8 JSON, byte for byte what JSON.stringify would write, but
 * copied together from each cell's Feature bytes made once: for thousands of hexagons a
 * fraction of a millisecond instead of the tens that validating and serialising the
 * objects take.
 */
export function hexCollectionJson(fc: HexCollection): Buffer {
  const { type, features, ...members } = fc;
  const open = Buffer.from(`{"type":${JSON.stringify(type)},"features":[`);
  const close = Buffer.from(`],${JSON.stringify(members).slice(1)}`);
  const heads: Buffer[] = new Array(features.length);
  const counts: string[] = new Array(features.length);
  let size = open.length + close.length + Math.max(0, features.length - 1);
  for (let i = 0; i < features.length; i++) {
    const { cell, count } = features[i]!.properties;
    heads[i] = cellFeatureHead(cell);
    counts[i] = String(count);
    size += heads[i]!.length + counts[i]!.length + 2;
  }
  const out = Buffer.allocUnsafe(size);
  let at = open.copy(out, 0);
  for (let i = 0; i < features.length; i++) {
    if (i > 0) out[at++] = 0x2c; // ,
    at += heads[i]!.copy(out, at);
    at += out.write(counts[i]!, at, 'latin1');
    out[at++] = 0x7d; // }
    out[at++] = 0x7d;
  }
  close.copy(out, at);
  return out;
}

export interface LsoaCounts {
  period: Period;
  lsoas: Array<{ lsoaCode: string; lsoaName: string | null; count: number }>;
  total: number;
  /** matching records with no LSOA */
  withoutLsoa: number;
}

/** Counts by LSOA, most first. */
export async function lsoas(data: CrimeData, filter: CrimeFilter): Promise<LsoaCounts> {
  const cube = await data.cubes.get();
  const period = resolvePeriod(cube, filter.from, filter.to);
  const sel = select(cube, toCubeQuery(filter, period));
  const rows = countByLsoa(cube, sel).sort(byCountDesc((r) => r.lsoaCode));
  const inLsoas = rows.reduce((s, r) => s + r.count, 0);
  return { period: periodText(period), lsoas: rows, total: sel.count, withoutLsoa: sel.count - inLsoas };
}

/** The LSOA boundaries, read once per data version. */
export async function lsoaBoundaries(data: CrimeData): Promise<LsoaBoundary[]> {
  const cube = await data.cubes.get();
  if (!data.boundaries || data.boundaries.version !== cube.version) {
    const list = store.listLsoaBoundaries(data.db);
    data.boundaries = { version: cube.version, list };
    list.catch(() => (data.boundaries = null));
  }
  return data.boundaries.list;
}

export interface LsoaFeatureCollection {
  type: 'FeatureCollection';
  features: Array<{ type: 'Feature'; geometry: PolygonGeometry | MultiPolygonGeometry; properties: { lsoaCode: string; lsoaName: string; count: number } }>;
  period: Period;
  total: number;
  hasBoundaries: boolean;
  /** matching records in LSOAs with no boundary loaded (or no LSOA at all) */
  withoutBoundary: number;
}

/** Counts by LSOA as GeoJSON: every loaded boundary, with its count (0 when none match). */
export async function lsoaFeatures(data: CrimeData, filter: CrimeFilter): Promise<LsoaFeatureCollection> {
  const counts = await lsoas(data, filter);
  const boundaries = await lsoaBoundaries(data);
  const byCode = new Map(counts.lsoas.map((l) => [l.lsoaCode, l.count]));
  let drawn = 0;
  const features = boundaries.map((b) => {
    const count = byCode.get(b.lsoaCode) ?? 0;
    drawn += count;
    return { type: 'Feature' as const, geometry: b.geometry, properties: { lsoaCode: b.lsoaCode, lsoaName: b.lsoaName, count } };
  });
  return { type: 'FeatureCollection', features, period: counts.period, total: counts.total, hasBoundaries: boundaries.length > 0, withoutBoundary: counts.total - drawn };
}

// ——— charts ———

export async function timeseries(data: CrimeData, filter: CrimeFilter): Promise<{ period: Period; series: Array<{ month: string; count: number }>; total: number }> {
  const cube = await data.cubes.get();
  const period = resolvePeriod(cube, filter.from, filter.to);
  const sel = select(cube, toCubeQuery(filter, period));
  return { period: periodText(period), series: countByMonth(cube, sel, period.from, period.to), total: sel.count };
}

export async function types(data: CrimeData, filter: CrimeFilter): Promise<{ period: Period; types: Array<{ crimeType: string; count: number }>; total: number }> {
  const cube = await data.cubes.get();
  const period = resolvePeriod(cube, filter.from, filter.to);
  const sel = select(cube, toCubeQuery(filter, period));
  return { period: periodText(period), types: countByType(cube, sel).sort(byCountDesc((r) => r.crimeType)), total: sel.count };
}

export async function outcomes(data: CrimeData, filter: CrimeFilter): Promise<{ period: Period; outcomes: Array<{ outcome: string | null; count: number }>; total: number }> {
  const cube = await data.cubes.get();
  const period = resolvePeriod(cube, filter.from, filter.to);
  const sel = select(cube, toCubeQuery(filter, period));
  return { period: periodText(period), outcomes: countByOutcome(cube, sel).sort(byCountDesc((r) => r.outcome)), total: sel.count };
}

// ——— hotspots and comparison ———

export interface Change {
  /** the later count minus the earlier */
  change: number;
  /** percent change, null when the earlier count is 0 */
  percentChange: number | null;
  /** (later − earlier) / √(later + earlier): the conditional test for two Poisson counts */
  z: number;
  /** two-sided exact conditional (binomial) p-value of the same test */
  pValue: number;
}

const changeOf = (earlier: number, later: number): Change => ({
  change: later - earlier,
  percentChange: percentChange(earlier, later),
  z: poissonChangeZ(earlier, later),
  pValue: poissonChangeExactP(earlier, later),
});

export interface Hotspot extends Change {
  cell: string;
  count: number;
  /** count / the period's located records */
  share: number;
  previousCount: number;
}

export interface Hotspots {
  res: H3Res;
  period: Period;
  previousPeriod: Period;
  /** located records in the period (the cells' total) */
  total: number;
  previousTotal: number;
  cells: Hotspot[];
}

/**
 * The n cells with most records in the period, each with its count in the equal-length
 * period just before and the Poisson z of the change.
 */
export async function hotspots(data: CrimeData, filter: CrimeFilter, res: H3Res, n: number): Promise<Hotspots> {
  const cube = await data.cubes.get();
  const period = resolvePeriod(cube, filter.from, filter.to);
  const length = period.to - period.from + 1;
  const previous = { from: period.from - length, to: period.from - 1 };
  const area = filter.polygon ? compileArea(filter.polygon) : null;
  const column = cube.cells[res - 7]!;
  const now = countCodes(select(cube, toCubeQuery(filter, period, area)), column.index, column.cells.length);
  const before = countCodes(select(cube, toCubeQuery(filter, previous, area)), column.index, column.cells.length);
  let total = 0;
  let previousTotal = 0;
  const ranked: number[] = [];
  for (let c = 0; c < now.length; c++) {
    total += now[c]!;
    previousTotal += before[c]!;
    if (now[c]! > 0) ranked.push(c);
  }
  // cells are in sorted order, so a stable sort by count leaves ties in cell order
  ranked.sort((a, b) => now[b]! - now[a]!);
  const cells = ranked.slice(0, n).map((c) => {
    const count = now[c]!;
    const previousCount = before[c]!;
    return { cell: column.cells[c]!, count, share: total ? count / total : 0, previousCount, ...changeOf(previousCount, count) };
  });
  return { res, period: periodText(period), previousPeriod: periodText(previous), total, previousTotal, cells };
}

export type CompareBy = 'type' | 'cell' | 'lsoa';

export interface ComparePeriods {
  aFrom?: string;
  aTo?: string;
  bFrom?: string;
  bTo?: string;
}

export interface Comparison {
  by: CompareBy;
  res: H3Res | null;
  a: Period;
  b: Period;
  totalA: number;
  totalB: number;
  /** rows before the limit */
  totalRows: number;
  rows: Array<{ key: string; label?: string; a: number; b: number } & Change>;
}

/**
 * Counts in period a (the baseline) and period b, by crime type, cell or LSOA, with the
 * change b − a and its Poisson z; largest |z| first. Without periods, b is the last 12
 * months with data and a the 12 months before; with only b, a is the equal-length period
 * just before it.
 */
export async function compare(data: CrimeData, filter: Omit<CrimeFilter, 'from' | 'to'>, periods: ComparePeriods, by: CompareBy, res: H3Res, limit: number): Promise<Comparison> {
  const cube = await data.cubes.get();
  for (const [x, y] of [['aFrom', 'aTo'], ['bFrom', 'bTo']] as const) {
    if ((periods[x] === undefined) !== (periods[y] === undefined)) {
      const missing = periods[x] === undefined ? x : y;
      throw new PeelError('invalid_period', `${missing}: give both ${x} and ${y}, or neither.`);
    }
  }
  const b = periods.bFrom ? resolvePeriod(cube, periods.bFrom, periods.bTo, ['bFrom', 'bTo']) : defaultPeriod(cube);
  const a = periods.aFrom ? resolvePeriod(cube, periods.aFrom, periods.aTo, ['aFrom', 'aTo']) : { from: b.from - (b.to - b.from + 1), to: b.from - 1 };
  const area = filter.polygon ? compileArea(filter.polygon) : null;
  const selA = select(cube, toCubeQuery(filter, a, area));
  const selB = select(cube, toCubeQuery(filter, b, area));

  let codes: Int32Array;
  let keys: string[];
  let label: ((c: number) => string | undefined) | null = null;
  if (by === 'type') {
    codes = cube.type;
    keys = cube.types;
  } else if (by === 'lsoa') {
    codes = cube.lsoa;
    keys = cube.lsoaCodes;
    label = (c) => cube.lsoaNames[c] ?? undefined;
  } else {
    const column = cube.cells[res - 7]!;
    codes = column.index;
    keys = column.cells;
  }
  const countA = countCodes(selA, codes, keys.length);
  const countB = countCodes(selB, codes, keys.length);
  const rows: Comparison['rows'] = [];
  let totalA = 0;
  let totalB = 0;
  for (let c = 0; c < keys.length; c++) {
    const x = countA[c]!;
    const y = countB[c]!;
    totalA += x;
    totalB += y;
    if (x === 0 && y === 0) continue;
    const name = label?.(c);
    rows.push({ key: keys[c]!, ...(name !== undefined ? { label: name } : {}), a: x, b: y, ...changeOf(x, y) });
  }
  rows.sort((p, q) => Math.abs(q.z) - Math.abs(p.z) || q.b + q.a - (p.b + p.a) || (p.key < q.key ? -1 : p.key > q.key ? 1 : 0));
  return { by, res: by === 'cell' ? res : null, a: periodText(a), b: periodText(b), totalA, totalB, totalRows: rows.length, rows: rows.slice(0, limit) };
}

// ——— one cell ———

export interface CellBreakdown {
  cell: string;
  res: H3Res;
  period: Period;
  count: number;
  byType: Array<{ crimeType: string; count: number }>;
  byOutcome: Array<{ outcome: string | null; count: number }>;
  byMonth: Array<{ month: string; count: number }>;
}

/** What a cell holds in the period: counts by type, outcome and month (aggregates only). */
export async function cellBreakdown(data: CrimeData, cell: string, filter: CrimeFilter): Promise<CellBreakdown> {
  const res = cellResolution(cell);
  const cube = await data.cubes.get();
  const period = resolvePeriod(cube, filter.from, filter.to);
  const sel = select(cube, { ...toCubeQuery(filter, period), cell: { res, cell } });
  return {
    cell,
    res,
    period: periodText(period),
    count: sel.count,
    byType: countByType(cube, sel).sort(byCountDesc((r) => r.crimeType)),
    byOutcome: countByOutcome(cube, sel).sort(byCountDesc((r) => r.outcome)),
    byMonth: countByMonth(cube, sel, period.from, period.to),
  };
}

export interface Why {
  justification?: string | null;
  reasonCode?: audit.ReasonCode | null;
}

export interface CellRecords {
  cell: string;
  res: H3Res;
  period: Period;
  total: number;
  limit: number;
  offset: number;
  records: store.CrimeRecordDetail[];
}

/**
 * The records in a cell, newest month first, a page at a time. A consultation of the force's
 * records: it needs a justification or reason code, and is written to the audit log (with
 * the ids returned) in the same transaction that reads them.
 */
export async function cellRecords(data: CrimeData, actor: Actor, cell: string, filter: CrimeFilter, page: { limit: number; offset: number }, why: Why): Promise<CellRecords> {
  const res = cellResolution(cell);
  const cube = await data.cubes.get();
  const period = resolvePeriod(cube, filter.from, filter.to);
  const sel = select(cube, { ...toCubeQuery(filter, period), cell: { res, cell } });
  const rows = Array.from(selectedRows(sel));
  rows.sort((i, j) => cube.month[j]! - cube.month[i]! || cube.ids[i]! - cube.ids[j]!);
  const ids = rows.slice(page.offset, page.offset + page.limit).map((i) => cube.ids[i]!);
  const records = await data.db.transaction().execute(async (trx) => {
    const found = await store.recordsByIds(trx, ids);
    await audit.record(trx, actor, {
      operation: 'consultation',
      action: 'crime.records.view',
      recordType: 'crime_record',
      recordIds: found.map((r) => r.id),
      justification: why.justification ?? null,
      reasonCode: why.reasonCode ?? null,
      details: { cell, period: periodText(period), total: rows.length, offset: page.offset },
    });
    return found;
  });
  return { cell, res, period: periodText(period), total: rows.length, limit: page.limit, offset: page.offset, records };
}

// ——— what there is ———

export interface Meta {
  firstMonth: string | null;
  lastMonth: string | null;
  /** the period a query without from/to covers */
  defaultPeriod: Period;
  total: number;
  unlocated: number;
  crimeTypes: string[];
  /** outcomes present; null (listed first when present) means some records have none recorded */
  outcomes: Array<string | null>;
  sources: string[];
  version: number;
  mapStyleUrl: string | null;
  hasLsoaBoundaries: boolean;
  resolutions: number[];
}

export async function meta(data: CrimeData, mapStyleUrl: string | null): Promise<Meta> {
  const cube = await data.cubes.get();
  const boundaries = await store.countLsoaBoundaries(data.db);
  const empty = cube.size === 0;
  let noOutcome = false;
  for (let i = 0; i < cube.size && !noOutcome; i++) noOutcome = cube.outcome[i] === 0;
  return {
    firstMonth: empty ? null : monthText(cube.firstMonth),
    lastMonth: empty ? null : monthText(cube.lastMonth),
    defaultPeriod: periodText(defaultPeriod(cube)),
    total: cube.size,
    unlocated: cube.unlocated,
    crimeTypes: [...cube.types],
    outcomes: [...(noOutcome ? [null] : []), ...cube.outcomes],
    sources: [...cube.sources],
    version: cube.version,
    mapStyleUrl,
    hasLsoaBoundaries: boundaries > 0,
    resolutions: [...store.H3_RESOLUTIONS],
  };
}

// ——— stop and search ———

export interface StopSearchGroup {
  group: string | null;
  searches: number;
  arrests: number;
  noFurtherAction: number;
  arrestRate: number;
  noFurtherActionRate: number;
}

/** Searches by a grouping (self-defined ethnicity by default) with arrest and no-further-action rates. */
export async function stopSearch(db: Db, by: StopSearchGrouping, from: string | undefined, to: string | undefined): Promise<{ by: StopSearchGrouping; period: Period; groups: StopSearchGroup[]; total: number }> {
  const range = await store.stopSearchMonthRange(db);
  const last = range.last ? monthNumber(range.last) : currentMonth();
  const def = { from: last - 11, to: last };
  const f = from === undefined ? undefined : parseMonth(from, 'from');
  const t = to === undefined ? undefined : parseMonth(to, 'to');
  const period = from === undefined && to === undefined ? def : { from: f ?? t! - 11, to: t ?? Math.max(f!, def.to) };
  if (period.from > period.to) throw new PeelError('invalid_period', `from (${monthText(period.from)}) is after to (${monthText(period.to)}).`);
  if (period.to - period.from + 1 > MAX_PERIOD_MONTHS) throw new PeelError('invalid_period', `from: a period may span at most ${MAX_PERIOD_MONTHS} months.`);
  const p = periodText(period);
  const rows = await store.stopSearchCounts(db, by, p.from, p.to);
  const groups = rows
    .map((r) => ({ ...r, arrestRate: r.arrests / r.searches, noFurtherActionRate: r.noFurtherAction / r.searches }))
    .sort((a, b) => b.searches - a.searches || String(a.group ?? '').localeCompare(String(b.group ?? '')));
  return { by, period: p, groups, total: rows.reduce((s, r) => s + r.searches, 0) };
}
