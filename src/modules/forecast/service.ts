import type { Db } from '../../platform/db/index.ts';
import { PeelError } from '../../platform/errors.ts';
import { monthIndex, monthText } from '../../lib/months.ts';
import { cellsOf, halfCellShiftedGrids, makeGrid, pointIds, studyAreaOf, studyIndexesOf, countByCell, type Grid, type StudyArea } from '../../lib/forecast/grid.ts';
import { meanOverPeriods, rankCells, scoreForecast, STANDARD_COVERAGES, type CoverageScore } from '../../lib/forecast/metrics.ts';
import { kde, naiveAll, naiveLast, prospective, type CellEvents, type Kernel } from '../../lib/forecast/predictors.ts';
import { fitSepp, seppDataOf, seppExpectedCounts } from '../../lib/forecast/sepp.ts';
import { peel } from '../../lib/forecast/peel.ts';
import { LocalDates, parsePeriod, periodLabel, periodOfOccurrence, type PeriodKind } from '../../lib/forecast/periods.ts';
import { projectAll, projectionFor } from '../../lib/forecast/projection.ts';
import { allLocatedPoints, locatedEvents, locatedEventsOfOtherTypes, locatedTimedEvents } from '../crime/events.ts';

/**
 * The rolling-origin backtest of the hotspot predictors on monthly data (issue 4): for each
 * test month, every method is fitted on the `trainMonths` months before it only, scores the
 * study-area cells, and is judged by the hit rate and PAI of that month's real crimes at the
 * standard coverages. The numerical work is in src/lib/forecast; this file joins it to the
 * crime module's records.
 */

export const METHODS = ['naive-last', 'naive-all', 'kde', 'prospective', 'sepp', 'peel'] as const;
export type Method = (typeof METHODS)[number];

/** The settings each method runs with unless told otherwise (see README.md for why). */
export const DEFAULTS = {
  cellSize: 250,
  trainMonths: 12,
  kdeKernel: 'gaussian' as Kernel,
  /** metres: the Gaussian's standard deviation */
  kdeBandwidth: 300,
  /** cells, centre to centre */
  prospectiveSpaceCells: 2,
  /** months */
  prospectiveTimeMonths: 2,
};

export interface BacktestSettings {
  cellSize: number;
  /** training periods (months unless `period` says otherwise) */
  trainMonths: number;
  /** first and last test period: YYYY-MM for months, YYYY-MM-DD for days (or any day of a week) */
  from: string;
  to: string;
  /** the forecast period; month (data.police.uk) by default */
  period?: PeriodKind;
  /** the zone whose calendar days and weeks are counted (day and week periods); Europe/London by default */
  timeZone?: string;
  methods: readonly Method[];
  /** also run the three half-cell-shifted grids */
  offsets?: boolean;
  kdeKernel?: Kernel;
  kdeBandwidth?: number;
}

/** Events (crimes of the types under test) and the points that make the study area. */
export interface BacktestData {
  event: { easting: ArrayLike<number>; northing: ArrayLike<number>; month: ArrayLike<number> };
  /**
   * located crimes of every other type over the same months: peel's covariate of where crime
   * of any kind happens (optional; without it peel uses the types under test only)
   */
  other?: { easting: ArrayLike<number>; northing: ArrayLike<number>; month: ArrayLike<number> };
  /** every located point of any type over the whole imported period */
  studyPoints: { easting: ArrayLike<number>; northing: ArrayLike<number> };
}

export interface CoverageSummary {
  coverage: number;
  meanHitRate: number;
  meanPai: number;
}

export interface PeriodResult {
  period: string;
  events: number;
  /** coverage ("0.01", "0.05", "0.1", "0.2") → hit rate; null when the month had no crimes */
  hitRate: Record<string, number | null>;
}

export interface MethodResult {
  method: Method;
  /** wall-clock seconds fitting and scoring every test month */
  seconds: number;
  coverage: CoverageSummary[];
  periods: PeriodResult[];
}

export interface SeppDiagnostics {
  period: string;
  iterations: number;
  converged: boolean;
  theta: number;
  omega: number;
  triggeredShare: number;
}

export interface GridResult {
  originEasting: number;
  originNorthing: number;
  studyCells: number;
  results: Array<{ method: Method; coverage: CoverageSummary[] }>;
}

export interface OffsetSpread {
  method: Method;
  /** the spread over the grids of the mean hit rate at each coverage */
  coverage: Array<{ coverage: number; min: number; max: number; range: number }>;
}

export interface BacktestReport {
  studyCells: number;
  cellSize: number;
  results: MethodResult[];
  /** with `offsets`: the four grids (unshifted first) and each method's spread over them */
  offsets?: { grids: GridResult[]; spread: OffsetSpread[] };
  /** the SEPP fit of each test month on the unshifted grid (not part of --json's shape) */
  sepp: SeppDiagnostics[];
}

export type BacktestProgress = (done: number, total: number, label: string) => void;

const coverageKey = (c: number) => String(c);
const orNull = (x: number) => (Number.isFinite(x) ? x : null);

interface GridRun {
  studyCells: number;
  results: MethodResult[];
  sepp: SeppDiagnostics[];
}

/** The events of months start … test − 1 that fall in study cells, periods counted from start (with their place ids when given). */
function windowEvents(months: ArrayLike<number>, studyIndex: Int32Array, start: number, test: number, place?: Int32Array): CellEvents {
  const picked: number[] = [];
  for (let i = 0; i < months.length; i++) if (months[i]! >= start && months[i]! < test && studyIndex[i]! >= 0) picked.push(i);
  const out: CellEvents = { cell: Int32Array.from(picked, (i) => studyIndex[i]!), period: Int32Array.from(picked, (i) => months[i]! - start) };
  if (place) out.place = Int32Array.from(picked, (i) => place[i]!);
  return out;
}

/** What a method needs to score the study cells for the period after a training window. */
export interface MethodInputs {
  grid: Grid;
  study: StudyArea;
  /** the window's events of the types forecast, periods 0 … trainPeriods − 1 */
  events: CellEvents;
  /** the same events' own points (kde) */
  eastings: Float64Array;
  northings: Float64Array;
  /** the window's events of every other type (peel's covariate); optional */
  other?: CellEvents;
  trainPeriods: number;
  kernel?: Kernel;
  bandwidth?: number;
}

/** One method's scores for the study cells (higher = more crime expected next period), and SEPP's fit when it is SEPP. */
export function methodScores(method: Method, x: MethodInputs): { scores: Float64Array; seppFit?: ReturnType<typeof fitSepp> } {
  const n = x.study.cells.length;
  const last = x.trainPeriods - 1;
  if (method === 'naive-last') return { scores: naiveLast(n, x.events, last) };
  if (method === 'naive-all') return { scores: naiveAll(n, x.events, last) };
  if (method === 'kde') return { scores: kde(x.grid, x.study, x.eastings, x.northings, { kernel: x.kernel ?? DEFAULTS.kdeKernel, bandwidth: x.bandwidth ?? DEFAULTS.kdeBandwidth }) };
  if (method === 'prospective') {
    return { scores: prospective(x.grid, x.study, x.events, last, { spaceBandwidthCells: DEFAULTS.prospectiveSpaceCells, timeBandwidthPeriods: DEFAULTS.prospectiveTimeMonths }) };
  }
  if (method === 'peel') return { scores: peel(x.grid, x.study, x.events, last, { other: x.other }).scores };
  // sepp, time in periods: a period's crimes sit at its middle, the window is [0, trainPeriods)
  const times = Float64Array.from(x.events.period, (p) => p + 0.5);
  const seppData = seppDataOf(n, x.events.cell, times, x.trainPeriods);
  const fit = fitSepp(seppData);
  return { scores: seppExpectedCounts(fit, seppData, x.trainPeriods, x.trainPeriods + 1), seppFit: fit };
}

/** One backtest on one grid. */
function backtestOnGrid(grid: Grid, data: BacktestData, settings: BacktestSettings, tick: (label: string) => void): GridRun {
  const study: StudyArea = studyAreaOf(cellsOf(grid, data.studyPoints.easting, data.studyPoints.northing));
  const n = study.cells.length;
  const eventIndex = studyIndexesOf(study, cellsOf(grid, data.event.easting, data.event.northing));
  const train = settings.trainMonths;
  const kind = settings.period ?? 'month';
  const first = parsePeriod(kind, settings.from);
  const last = parsePeriod(kind, settings.to);
  const kernel = settings.kdeKernel ?? DEFAULTS.kdeKernel;
  const bandwidth = settings.kdeBandwidth ?? DEFAULTS.kdeBandwidth;
  const months = data.event.month;
  const otherIndex = data.other ? studyIndexesOf(study, cellsOf(grid, data.other.easting, data.other.northing)) : null;
  // peel's places: the same point in both sets is the same place
  const [eventPlace, otherPlace] = pointIds(data.event, data.other ?? { easting: [], northing: [] });

  const scores = new Map<Method, CoverageScore[][]>(settings.methods.map((m) => [m, []]));
  const elapsed = new Map<Method, number>(settings.methods.map((m) => [m, 0]));
  const periods: Array<{ period: string; events: number }> = [];
  const sepp: SeppDiagnostics[] = [];

  for (let test = first; test <= last; test++) {
    const start = test - train;
    // the training events (periods 0 … train − 1) and the test month's real crimes per cell
    const picked: number[] = [];
    const testCells: number[] = [];
    for (let i = 0; i < months.length; i++) {
      const m = months[i]!;
      if (m >= start && m < test && eventIndex[i]! >= 0) picked.push(i);
      else if (m === test) testCells.push(eventIndex[i]!);
    }
    const events = { cell: Int32Array.from(picked, (i) => eventIndex[i]!), period: Int32Array.from(picked, (i) => months[i]! - start), place: Int32Array.from(picked, (i) => eventPlace![i]!) };
    const eastings = Float64Array.from(picked, (i) => data.event.easting[i]!);
    const northings = Float64Array.from(picked, (i) => data.event.northing[i]!);
    const counts = countByCell(n, testCells);
    let inStudy = 0;
    for (const c of counts) inStudy += c;
    periods.push({ period: periodLabel(kind, test), events: inStudy });

    for (const method of settings.methods) {
      tick(`${periodLabel(kind, test)} ${method}`);
      const began = performance.now();
      const other = method === 'peel' && data.other && otherIndex ? windowEvents(data.other.month, otherIndex, start, test, otherPlace) : undefined;
      const { scores: forecast, seppFit: fit } = methodScores(method, { grid, study, events, eastings, northings, other, trainPeriods: train, kernel, bandwidth });
      if (fit) sepp.push({ period: periodLabel(kind, test), iterations: fit.iterations, converged: fit.converged, theta: fit.theta, omega: fit.omega, triggeredShare: fit.triggeredShare });
      const scored = scoreForecast(forecast, counts, STANDARD_COVERAGES);
      elapsed.set(method, elapsed.get(method)! + (performance.now() - began));
      scores.get(method)!.push(scored);
    }
  }

  const results = settings.methods.map((method): MethodResult => {
    const perPeriod = scores.get(method)!;
    return {
      method,
      seconds: elapsed.get(method)! / 1000,
      coverage: meanOverPeriods(perPeriod).map((c) => ({ coverage: c.coverage, meanHitRate: c.meanHitRate, meanPai: c.meanPai })),
      periods: perPeriod.map((s, j) => ({ period: periods[j]!.period, events: periods[j]!.events, hitRate: Object.fromEntries(s.map((x) => [coverageKey(x.coverage), orNull(x.hitRate)])) })),
    };
  });
  return { studyCells: n, results, sepp };
}

/** The backtest on plain data: the unshifted grid, and with `offsets` the half-cell shifts too. */
export function runBacktest(data: BacktestData, settings: BacktestSettings, progress?: BacktestProgress): BacktestReport {
  const grids = settings.offsets ? halfCellShiftedGrids(settings.cellSize) : [makeGrid({ cellSize: settings.cellSize })];
  const kind = settings.period ?? 'month';
  const months = parsePeriod(kind, settings.to) - parsePeriod(kind, settings.from) + 1;
  const total = grids.length * months * settings.methods.length;
  let done = 0;
  const runs = grids.map((grid, g) =>
    backtestOnGrid(grid, data, settings, (label) => {
      progress?.(done, total, grids.length > 1 ? `grid ${g + 1}/${grids.length} ${label}` : label);
      done++;
    }),
  );
  progress?.(total, total, 'done');
  const main = runs[0]!;
  const report: BacktestReport = { studyCells: main.studyCells, cellSize: settings.cellSize, results: main.results, sepp: main.sepp };
  if (settings.offsets) {
    report.offsets = {
      grids: runs.map((run, g) => ({
        originEasting: grids[g]!.originEasting,
        originNorthing: grids[g]!.originNorthing,
        studyCells: run.studyCells,
        results: run.results.map((r) => ({ method: r.method, coverage: r.coverage })),
      })),
      spread: settings.methods.map((method, j) => ({
        method,
        coverage: STANDARD_COVERAGES.map((coverage, c) => {
          const values = runs.map((run) => run.results[j]!.coverage[c]!.meanHitRate);
          const min = Math.min(...values);
          const max = Math.max(...values);
          return { coverage, min, max, range: max - min };
        }),
      })),
    };
  }
  return report;
}

export interface BacktestRequest extends BacktestSettings {
  /** crime types as published, e.g. "Burglary" */
  types: readonly string[];
}

/**
 * Reads the crimes of the types asked for (the test months and the training window before
 * the first) and every located point (the study area), checks the imported data covers the
 * window, and runs the backtest.
 */
export async function backtest(db: Db, request: BacktestRequest, progress?: BacktestProgress): Promise<BacktestReport> {
  if (request.period && request.period !== 'month') return backtestByInstant(db, request, request.period, progress);
  const first = monthIndex(request.from);
  const last = monthIndex(request.to);
  if (last < first) throw new PeelError('bad_request', `the last test month ${request.to} is before the first ${request.from}.`);
  if (!(Number.isInteger(request.trainMonths) && request.trainMonths >= 1)) throw new PeelError('bad_request', 'train months must be a whole number, at least 1.');
  if (request.types.length === 0) throw new PeelError('bad_request', 'name at least one crime type.');
  if (request.methods.length === 0) throw new PeelError('bad_request', 'name at least one method.');
  const trainFrom = monthText(first - request.trainMonths);
  const studyPoints = await allLocatedPoints(db);
  if (!studyPoints.firstMonth || !studyPoints.lastMonth) throw new PeelError('no_data', 'there are no located crime records: import some first (peel import police-uk …).');
  // located records but none on the British National Grid (a source from outside Great
  // Britain): months from the records' dates, in a local metric projection
  if (studyPoints.easting.length === 0) return backtestByInstant(db, request, 'month', progress);
  if (trainFrom < studyPoints.firstMonth) {
    throw new PeelError('no_data', `the training window for ${request.from} starts in ${trainFrom}, but the located records start in ${studyPoints.firstMonth}: choose a later --from or fewer --train-months.`);
  }
  if (request.to > studyPoints.lastMonth) throw new PeelError('no_data', `the located records end in ${studyPoints.lastMonth}, before the last test month ${request.to}: choose an earlier --to.`);
  const event = await locatedEvents(db, { types: request.types, from: trainFrom, to: request.to });
  if (event.month.length === 0) throw new PeelError('no_data', `no located records of ${request.types.map((t) => `"${t}"`).join(', ')} between ${trainFrom} and ${request.to}: check the crime type's spelling.`);
  const other = request.methods.includes('peel') ? await locatedEventsOfOtherTypes(db, { types: request.types, from: trainFrom, to: monthText(last - 1) }) : undefined;
  return runBacktest({ event, studyPoints, other }, request, progress);
}

/**
 * The backtest by day or week, from records that carry an instant (`occurred_at`): a CSV
 * source imported through a mapping with a date and time, anywhere on Earth. Points are
 * projected to metres (projection.ts: the national grid in Great Britain, else a local
 * azimuthal equidistant projection); the study area is every cell holding a located record
 * of any type over the whole imported period; records without an instant are left out.
 */
async function backtestByInstant(db: Db, request: BacktestRequest, kind: PeriodKind, progress?: BacktestProgress): Promise<BacktestReport> {
  const bad = (what: string, text: string) => {
    try {
      return parsePeriod(kind, text);
    } catch {
      throw new PeelError('bad_request', `${what} "${text}" is not a ${kind}: give ${kind === 'month' ? 'a month, YYYY-MM' : 'a date, YYYY-MM-DD'}.`);
    }
  };
  const first = bad('the first test period', request.from);
  const last = bad('the last test period', request.to);
  if (last < first) throw new PeelError('bad_request', `the last test ${kind} ${request.to} is before the first ${request.from}.`);
  if (!(Number.isInteger(request.trainMonths) && request.trainMonths >= 1)) throw new PeelError('bad_request', 'training periods must be a whole number, at least 1.');
  if (request.types.length === 0) throw new PeelError('bad_request', 'name at least one crime type.');
  if (request.methods.length === 0) throw new PeelError('bad_request', 'name at least one method.');
  const timeZone = request.timeZone ?? 'Europe/London';
  let dates: LocalDates;
  try {
    dates = new LocalDates(timeZone);
  } catch {
    throw new PeelError('bad_request', `"${timeZone}" is not an IANA time zone such as America/Chicago.`);
  }
  const range = await allLocatedPoints(db);
  if (!range.firstMonth || !range.lastMonth) throw new PeelError('no_data', 'there are no located crime records: import some first (peel import csv … --mapping …).');
  const all = await locatedTimedEvents(db, { from: range.firstMonth, to: range.lastMonth });
  const period = new Float64Array(all.month.length);
  let timed = 0;
  let minPeriod = Infinity;
  let maxPeriod = -Infinity;
  all.occurredAt.forEach((at, i) => {
    // by month, the record's own month (the local month of its date, set by the importer)
    period[i] = kind === 'month' ? monthIndex(all.month[i]!) : at ? periodOfOccurrence(kind, at, dates) : NaN;
    if (Number.isFinite(period[i]!)) {
      timed++;
      minPeriod = Math.min(minPeriod, period[i]!);
      maxPeriod = Math.max(maxPeriod, period[i]!);
    }
  });
  if (timed === 0) throw new PeelError('no_data', `no located record has a date: forecasting by ${kind} needs records imported with their dates (peel import csv … --mapping …).`);
  const trainFrom = first - request.trainMonths;
  if (trainFrom < minPeriod) {
    throw new PeelError('no_data', `the training window for ${request.from} starts in the ${kind} of ${periodLabel(kind, trainFrom)}, but the dated records start in the ${kind} of ${periodLabel(kind, minPeriod)}: choose a later --from or fewer training periods.`);
  }
  if (last > maxPeriod) throw new PeelError('no_data', `the dated records end in the ${kind} of ${periodLabel(kind, maxPeriod)}, before the last test ${kind} ${request.to}: choose an earlier --to.`);
  const projection = projectionFor(all.longitude, all.latitude);
  const points = projectAll(projection, all.longitude, all.latitude);
  const wanted = new Set(request.types.map((t) => all.types.indexOf(t)).filter((t) => t >= 0));
  const pick = (keep: (i: number) => boolean) => {
    const idx: number[] = [];
    for (let i = 0; i < period.length; i++) if (Number.isFinite(period[i]!) && period[i]! >= trainFrom && period[i]! <= last && keep(i)) idx.push(i);
    return { easting: Float64Array.from(idx, (i) => points.easting[i]!), northing: Float64Array.from(idx, (i) => points.northing[i]!), month: Int32Array.from(idx, (i) => period[i]!) };
  };
  const event = pick((i) => wanted.has(all.type[i]!));
  if (event.month.length === 0) throw new PeelError('no_data', `no dated, located records of ${request.types.map((t) => `"${t}"`).join(', ')} between ${periodLabel(kind, trainFrom)} and ${request.to}: check the crime type's spelling (types here: ${all.types.slice(0, 12).join(', ')}).`);
  const other = request.methods.includes('peel') ? pick((i) => !wanted.has(all.type[i]!) && period[i]! < last) : undefined;
  return runBacktest({ event, other, studyPoints: points }, { ...request, ...(kind === 'month' ? {} : { period: kind }), timeZone }, progress);
}

export interface LatestForecastRequest {
  types: readonly string[];
  method: Method;
  cellSize?: number;
  trainMonths?: number;
  kdeBandwidth?: number;
}

export interface LatestForecast {
  /** the month forecast: the one after the last imported month, YYYY-MM */
  period: string;
  /** the training window, YYYY-MM */
  trainFrom: string;
  trainTo: string;
  grid: Grid;
  /** the study cells' ids (grid.ts), ascending */
  cells: Int32Array;
  /** each study cell's score, same order */
  scores: Float64Array;
  /** each study cell's rank, 1 = highest score (ties by cell id, as the backtest ranks) */
  rank: Int32Array;
}

/**
 * The forecast for the month after the last imported one: the method fitted on the
 * `trainMonths` months up to and including it (the same inputs as each backtest month,
 * peel's other-type covariate included), every study cell scored and ranked.
 */
export async function latestForecast(db: Db, request: LatestForecastRequest): Promise<LatestForecast> {
  const cellSize = request.cellSize ?? DEFAULTS.cellSize;
  const train = request.trainMonths ?? DEFAULTS.trainMonths;
  if (request.types.length === 0) throw new PeelError('bad_request', 'name at least one crime type.');
  const studyPoints = await allLocatedPoints(db);
  if (!studyPoints.firstMonth || !studyPoints.lastMonth) throw new PeelError('no_data', 'there are no located crime records: import some first (peel import police-uk …).');
  const lastMonth = monthIndex(studyPoints.lastMonth);
  const start = lastMonth - train + 1;
  const trainFrom = monthText(start);
  const window = { types: request.types, from: trainFrom, to: studyPoints.lastMonth };
  const e = await locatedEvents(db, window);
  const grid = makeGrid({ cellSize });
  const study = studyAreaOf(cellsOf(grid, studyPoints.easting, studyPoints.northing));
  const index = studyIndexesOf(study, cellsOf(grid, e.easting, e.northing));
  const o = request.method === 'peel' ? await locatedEventsOfOtherTypes(db, window) : null;
  const [eventPlace, otherPlace] = pointIds(e, o ?? { easting: [], northing: [] });
  const events = windowEvents(e.month, index, start, lastMonth + 1, eventPlace);
  const picked: number[] = [];
  for (let i = 0; i < index.length; i++) if (index[i]! >= 0) picked.push(i);
  const other = o ? windowEvents(o.month, studyIndexesOf(study, cellsOf(grid, o.easting, o.northing)), start, lastMonth + 1, otherPlace) : undefined;
  const { scores } = methodScores(request.method, {
    grid,
    study,
    events,
    eastings: Float64Array.from(picked, (i) => e.easting[i]!),
    northings: Float64Array.from(picked, (i) => e.northing[i]!),
    other,
    trainPeriods: train,
    bandwidth: request.kdeBandwidth,
  });
  const rank = new Int32Array(scores.length);
  rankCells(scores).forEach((cell, r) => (rank[cell] = r + 1));
  return { period: monthText(lastMonth + 1), trainFrom, trainTo: studyPoints.lastMonth, grid, cells: study.cells, scores, rank };
}
