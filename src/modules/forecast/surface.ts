import { Worker } from 'node:worker_threads';
import type { Db } from '../../platform/db/index.ts';
import { PeelError } from '../../platform/errors.ts';
import { monthIndex, monthText as monthTextOf } from '../../lib/months.ts';
import { STANDARD_COVERAGES } from '../../lib/forecast/metrics.ts';
import { outlineOf, ringArea2, type PatrolPlan } from '../../lib/forecast/patrols.ts';
import type { PeriodKind } from '../../lib/forecast/periods.ts';
import { projectionOf, type Projection } from '../../lib/forecast/projection.ts';
import { crimeDataVersion, fromBng } from '../crime/events.ts';
import type { ComputeJob, SurfaceCells } from './compute.ts';
import type { CoverageSummary, Method } from './service.ts';
import { forecastData, type ForecastData, type PeriodEvents } from './sources.ts';
import { readResult, writeResult, type ResultKey } from './store.ts';

/**
 * The forecast in the product (issue 4): the risk surface for the next month (or week, or
 * day, from dated records), the method's recent backtest figures beside it, and patrol plans
 * made from the surface. Results are
 * computed in a worker thread on first request and kept in forecast_results until the crime
 * data changes (the crime module's data version).
 */

/** training periods: a year of months or of weeks, as the backtest's defaults; half a year of days */
export const PRODUCT_TRAIN_PERIODS: Record<PeriodKind, number> = { month: 12, week: 52, day: 182 };
/** the test periods of the accuracy figures */
export const ACCURACY_PERIODS = 12;
/** the baselines every method is shown against */
export const BASELINES = ['naive-last', 'naive-all'] as const satisfies readonly Method[];

export interface ForecastRequest {
  types: readonly string[];
  /** month (default), or week or day from records with instants */
  by?: PeriodKind;
  /** by week or day: the time zone whose calendar days count (Europe/London by default) */
  timeZone?: string;
  /** the period to forecast (YYYY-MM; by week or day, a date YYYY-MM-DD); the one after the last record's by default */
  period?: string;
  method: Method;
  cellSize: number;
}

/** The periods a forecast for `period` trains on, and the periods its accuracy is measured on. */
export interface ForecastWindow {
  by: PeriodKind;
  period: string;
  trainPeriods: number;
  trainFrom: string;
  trainTo: string;
  testFrom: string;
  testTo: string;
}

export interface Surface extends SurfaceCells {
  types: string[];
  /** the proj4 definition of the cells' metres; null for the British National Grid */
  projection: string | null;
  method: Method;
  cellSize: number;
  window: ForecastWindow;
  /** the sum of all scores: a cell's expected share of next month's crime is score / total */
  total: number;
  computedAt: string;
  seconds: number;
}

export interface Accuracy {
  method: Method;
  by: PeriodKind;
  trainPeriods: number;
  testFrom: string;
  testTo: string;
  testPeriods: number;
  computedAt: string;
  seconds: number;
  methods: Array<{ method: Method; coverage: CoverageSummary[] }>;
}

/**
 * A year of training periods when the data allows (see PRODUCT_TRAIN_PERIODS), else half the
 * periods there are (so that there are as many test periods as training periods); the test
 * periods are the (up to) twelve before the period, each with a full training window inside
 * the data. `first` and `last` are the data's first and last periods.
 */
export function periodWindow(by: PeriodKind, label: (p: number) => string, first: number, last: number, period?: number): ForecastWindow {
  const next = last + 1;
  const p = period ?? next;
  if (p > next) throw new PeelError('no_data', `the records end in ${label(last)}: the latest ${by} that can be forecast is ${label(next)}, not ${label(p)}.`);
  const available = p - first;
  if (available < 2) throw new PeelError('no_data', `a forecast for ${label(p)} needs at least two ${by}s of records before it; they start in ${label(first)}.`);
  const trainPeriods = Math.min(PRODUCT_TRAIN_PERIODS[by], Math.floor(available / 2));
  const testFrom = Math.max(p - ACCURACY_PERIODS, first + trainPeriods);
  return { by, period: label(p), trainPeriods, trainFrom: label(p - trainPeriods), trainTo: label(p - 1), testFrom: label(testFrom), testTo: label(p - 1) };
}

/** The window by month, from the first and last imported months (YYYY-MM). */
export const forecastWindow = (firstMonth: string, lastMonth: string, period: string | undefined): ForecastWindow =>
  periodWindow('month', (p) => monthTextOf(p), monthIndex(firstMonth), monthIndex(lastMonth), period === undefined ? undefined : monthIndex(period));

/**
 * At most this many computations at once; more wait their turn. Each distinct request can
 * start one, and a machine has few cores: requests must not be able to swamp it.
 */
export const MAX_WORKERS = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function runInWorker<T>(job: ComputeJob): Promise<T> {
  if (running >= MAX_WORKERS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await oneWorker<T>(job);
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function oneWorker<T>(job: ComputeJob): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./compute-worker.ts', import.meta.url), { workerData: job });
    let settled = false;
    worker.once('message', (m: { ok: boolean; result?: T; message?: string }) => {
      settled = true;
      if (m.ok) resolve(m.result as T);
      else reject(new PeelError('forecast_failed', `the forecast could not be computed: ${m.message}`, 500));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`forecast worker stopped with code ${code}`));
    });
  });
}

/** Computations under way, so simultaneous first requests share one. */
const inFlight = new Map<string, Promise<unknown>>();

async function cached<T>(db: Db, key: ResultKey, compute: () => Promise<T>): Promise<{ value: T; computedAt: string; seconds: number }> {
  const version = await crimeDataVersion(db);
  const stored = await readResult(db, key);
  if (stored && stored.dataVersion === version) return { value: JSON.parse(stored.payload) as T, computedAt: stored.computedAt, seconds: stored.seconds };
  const id = JSON.stringify([key, version]);
  let running = inFlight.get(id) as Promise<{ value: T; computedAt: string; seconds: number }> | undefined;
  if (!running) {
    running = (async () => {
      const began = performance.now();
      const value = await compute();
      const result = { value, computedAt: new Date().toISOString(), seconds: (performance.now() - began) / 1000 };
      await writeResult(db, key, { dataVersion: version, computedAt: result.computedAt, seconds: result.seconds, payload: JSON.stringify(value) });
      return result;
    })().finally(() => inFlight.delete(id));
    inFlight.set(id, running);
  }
  return running;
}

const checkTypes = (types: readonly string[]) => {
  if (types.length === 0) throw new PeelError('bad_request', 'name at least one crime type, e.g. type=Burglary.');
  return [...new Set(types)].sort();
};

async function windowFor(db: Db, request: ForecastRequest): Promise<{ data: ForecastData; window: ForecastWindow }> {
  const data = await forecastData(db, request.by ?? 'month', request.timeZone);
  return { data, window: periodWindow(data.by, data.label, data.first, data.last, request.period === undefined ? undefined : data.parse(request.period)) };
}

/** The cache's name for a window's period: by week or day, with the kind and time zone (a date alone is ambiguous). */
const periodKey = (data: ForecastData, window: ForecastWindow) => (data.by === 'month' ? window.period : `${data.by} ${window.period} ${data.timeZone}`);

async function eventsFor(data: ForecastData, types: readonly string[], from: number, to: number): Promise<PeriodEvents> {
  const events = await data.events(types, from, to);
  if (events.period.length === 0) throw new PeelError('no_data', `no located records of ${types.map((t) => `"${t}"`).join(', ')} between ${data.label(from)} and ${data.label(to)}: check the crime type's spelling.`);
  return events;
}

const relative = (e: PeriodEvents, start: number) => ({ easting: e.easting, northing: e.northing, period: Int32Array.from(e.period, (p) => p - start) });

/** The risk surface for the request's period, from the cache or computed now. */
export async function forecastSurface(db: Db, request: ForecastRequest): Promise<Surface> {
  const types = checkTypes(request.types);
  const { data, window } = await windowFor(db, request);
  const key: ResultKey = { kind: 'surface', types, period: periodKey(data, window), method: request.method, cellSize: request.cellSize };
  const r = await cached(db, key, async () => {
    const start = data.parse(window.trainFrom);
    const end = data.parse(window.trainTo);
    const events = await eventsFor(data, types, start, end);
    const other = request.method === 'peel' ? await data.events(types, start, end, true) : null;
    return runInWorker<SurfaceCells>({
      kind: 'surface',
      input: {
        method: request.method,
        cellSize: request.cellSize,
        trainMonths: window.trainPeriods,
        event: relative(events, start),
        studyPoints: data.studyPoints,
        ...(other ? { other: relative(other, start) } : {}),
      },
    });
  });
  const total = r.value.score.reduce((s, x) => s + x, 0);
  return { ...r.value, types, projection: data.projection, method: request.method, cellSize: request.cellSize, window, total, computedAt: r.computedAt, seconds: r.seconds };
}

/** The method's and the baselines' mean hit rate and PAI over the test periods before the period. */
export async function forecastAccuracy(db: Db, request: ForecastRequest): Promise<Accuracy> {
  const types = checkTypes(request.types);
  const { data, window } = await windowFor(db, request);
  const methods = [...new Set<Method>([request.method, ...BASELINES])];
  const key: ResultKey = { kind: 'accuracy', types, period: periodKey(data, window), method: request.method, cellSize: request.cellSize };
  const testFrom = data.parse(window.testFrom);
  const testTo = data.parse(window.testTo);
  const r = await cached(db, key, async () => {
    const from = testFrom - window.trainPeriods;
    const event = await eventsFor(data, types, from, testTo);
    // peel's covariate, as the backtest command gives it (periods before the last test period's)
    const other = methods.includes('peel') ? await data.events(types, from, testTo - 1, true) : undefined;
    const asBacktest = (e: PeriodEvents) => ({ easting: e.easting, northing: e.northing, month: e.period });
    const report = await runInWorker<{ results: Array<{ method: Method; coverage: CoverageSummary[]; periods: number }> }>({
      kind: 'accuracy',
      input: {
        data: { event: asBacktest(event), other: other && asBacktest(other), studyPoints: data.studyPoints },
        settings: { cellSize: request.cellSize, trainMonths: window.trainPeriods, from: window.testFrom, to: window.testTo, methods, ...(data.by === 'month' ? {} : { period: data.by, timeZone: data.timeZone! }) },
      },
    });
    return report.results.map((x) => ({ method: x.method, coverage: x.coverage }));
  });
  const testPeriods = testTo - testFrom + 1;
  return { method: request.method, by: data.by, trainPeriods: window.trainPeriods, testFrom: window.testFrom, testTo: window.testTo, testPeriods, computedAt: r.computedAt, seconds: r.seconds, methods: r.value };
}

// ——— GeoJSON ———

type Position = [number, number];
export type PolygonGeometry = { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] };

const round = (x: number) => Math.round(x * 1e6) / 1e6;

const projections = new Map<string, Projection>();

/** Grid metres to WGS84: the crime module's own BNG conversion, or the inverse of the data's projection. */
function lonLat(projection: string | null, easting: number, northing: number): Position {
  if (projection === null) {
    const p = fromBng(easting, northing);
    return [round(p.longitude), round(p.latitude)];
  }
  let proj = projections.get(projection);
  if (!proj) projections.set(projection, (proj = projectionOf(projection)));
  const [lon, lat] = proj.inverse(easting, northing);
  return [round(lon), round(lat)];
}

function toWgs84(cellSize: number, ring: ReadonlyArray<readonly [number, number]>, projection: string | null): Position[] {
  return ring.map(([c, r]) => lonLat(projection, c * cellSize, r * cellSize));
}

function inside(point: readonly [number, number], ring: ReadonlyArray<readonly [number, number]>): boolean {
  let result = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > point[1] !== yj > point[1] && point[0] < ((xj - xi) * (point[1] - yi)) / (yj - yi) + xi) result = !result;
  }
  return result;
}

/** The outline of grid cells (the grid from origin 0, 0 of the projection; null: the national grid) as a WGS84 GeoJSON polygon. */
export function cellsPolygon(cellSize: number, cells: ReadonlyArray<{ column: number; row: number }>, projection: string | null = null): PolygonGeometry {
  const rings = outlineOf(cells);
  const outers = rings.filter((r) => ringArea2(r) > 0);
  const holes = rings.filter((r) => ringArea2(r) < 0);
  const polygons = outers.map((outer) => [outer]);
  for (const hole of holes) {
    // a hole's corner is on no outer ring's boundary except where it touches one; test the middle of its first side
    const probe: [number, number] = [(hole[0]![0] + hole[1]![0]) / 2 + (hole[1]![1] - hole[0]![1]) * 0.25, (hole[0]![1] + hole[1]![1]) / 2 - (hole[1]![0] - hole[0]![0]) * 0.25];
    (polygons.find((p) => inside(probe, p[0]!)) ?? polygons[0])?.push(hole);
  }
  const coords = polygons.map((p) => p.map((ring) => toWgs84(cellSize, ring, projection)));
  return coords.length === 1 ? { type: 'Polygon', coordinates: coords[0]! } : { type: 'MultiPolygon', coordinates: coords };
}

/** A cell's square, corner (column, row) anticlockwise. */
export function cellSquare(cellSize: number, column: number, row: number, projection: string | null = null): { type: 'Polygon'; coordinates: Position[][] } {
  return { type: 'Polygon', coordinates: [toWgs84(cellSize, [[column, row], [column + 1, row], [column + 1, row + 1], [column, row + 1], [column, row]], projection)] };
}

/** k of the top `coverage` of n cells, as the backtest counts them. */
export const topCells = (coverage: number, n: number) => Math.min(n, Math.max(1, Math.ceil(coverage * n - 1e-9)));

export interface SurfaceFeature {
  type: 'Feature';
  geometry: { type: 'Polygon'; coordinates: Position[][] };
  properties: { cell: number; rank: number; score: number; share: number; recent: number; top5: boolean; top10: boolean };
}

/** The surface's cells (all, or the top `top` share of them) as GeoJSON features. */
export function surfaceFeatures(s: Surface, top = 1): SurfaceFeature[] {
  const k5 = topCells(0.05, s.studyCells);
  const k10 = topCells(0.1, s.studyCells);
  const shown = top >= 1 ? s.cell.length : topCells(top, s.studyCells);
  const out: SurfaceFeature[] = [];
  for (let i = 0; i < shown; i++) {
    out.push({
      type: 'Feature',
      geometry: cellSquare(s.cellSize, s.column[i]!, s.row[i]!, s.projection),
      properties: { cell: s.cell[i]!, rank: i + 1, score: s.score[i]!, share: s.total > 0 ? s.score[i]! / s.total : 0, recent: s.recent[i]!, top5: i < k5, top10: i < k10 },
    });
  }
  return out;
}

// ——— patrol plans ———

export interface PatrolRequest extends ForecastRequest {
  areas: number;
  maxCells: number;
}

export interface PatrolAreaResult {
  area: number;
  cells: number[];
  /** the area's share of the forecast risk: its expected share of the next period's crime */
  share: number;
  /** crimes of the types in the area over the training months, and their share of all of them */
  recentCrimes: number;
  recentShare: number;
  geometry: PolygonGeometry;
  /** the middle of the area's cells, WGS84, for a label */
  centre: Position;
}

export interface PatrolPlanResult {
  surface: Surface;
  areas: PatrolAreaResult[];
  /** the areas' share of the forecast risk together */
  share: number;
  recentShare: number;
  seconds: number;
}

/** Patrol areas made from the (cached) surface: N 4-connected areas of at most M cells. */
export async function patrolPlan(db: Db, request: PatrolRequest): Promise<PatrolPlanResult> {
  if (!(Number.isInteger(request.areas) && request.areas >= 1 && request.areas <= 50)) throw new PeelError('bad_request', 'areas must be a whole number from 1 to 50.');
  if (!(Number.isInteger(request.maxCells) && request.maxCells >= 1 && request.maxCells <= 100)) throw new PeelError('bad_request', 'cells per area must be a whole number from 1 to 100.');
  const surface = await forecastSurface(db, request);
  const began = performance.now();
  const cells = surface.cell.map((_, i) => ({ column: surface.column[i]!, row: surface.row[i]!, score: surface.score[i]! }));
  // in a worker too: a large plan (ten areas of two dozen cells) takes seconds
  const plan = await runInWorker<PatrolPlan>({ kind: 'patrols', input: { cells, options: { areas: request.areas, maxCells: request.maxCells } } });
  const recentTotal = surface.recent.reduce((s, x) => s + x, 0);
  const areas = plan.areas.map((a, i): PatrolAreaResult => {
    const members = a.cells.map((c) => cells[c]!);
    const recentCrimes = a.cells.reduce((s, c) => s + surface.recent[c]!, 0);
    const mc = members.reduce((s, c) => s + c.column + 0.5, 0) / members.length;
    const mr = members.reduce((s, c) => s + c.row + 0.5, 0) / members.length;
    const centre = lonLat(surface.projection, mc * surface.cellSize, mr * surface.cellSize);
    return {
      area: i + 1,
      cells: a.cells.map((c) => surface.cell[c]!),
      share: plan.total > 0 ? a.score / plan.total : 0,
      recentCrimes,
      recentShare: recentTotal > 0 ? recentCrimes / recentTotal : 0,
      geometry: cellsPolygon(surface.cellSize, members, surface.projection),
      centre,
    };
  });
  return {
    surface,
    areas,
    share: plan.total > 0 ? plan.covered / plan.total : 0,
    recentShare: areas.reduce((s, a) => s + a.recentShare, 0),
    seconds: (performance.now() - began) / 1000,
  };
}

export { STANDARD_COVERAGES };
