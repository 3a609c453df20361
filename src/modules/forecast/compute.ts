import { planPatrols, type PatrolCell, type PatrolOptions } from '../../lib/forecast/patrols.ts';
import { cellColumn, cellRow, cellsOf, makeGrid, studyAreaOf, studyIndexesOf, type Grid, type StudyArea } from '../../lib/forecast/grid.ts';
import { rankCells } from '../../lib/forecast/metrics.ts';
import { kde, naiveAll, naiveLast, prospective } from '../../lib/forecast/predictors.ts';
import { fitSepp, seppDataOf, seppExpectedCounts } from '../../lib/forecast/sepp.ts';
import { peel } from '../../lib/forecast/peel.ts';
import { DEFAULTS, runBacktest, type BacktestData, type BacktestSettings, type Method } from './service.ts';

/**
 * The forecast the product shows: one method fitted on the training months before the
 * period forecast, scoring every study cell. Plain data in, plain data out; run in a worker
 * thread (compute-worker.ts) because a method such as peel takes seconds.
 */

export interface SurfaceInput {
  method: Method;
  cellSize: number;
  /** training events: BNG points and period 0 … trainMonths − 1 */
  event: { easting: Float64Array; northing: Float64Array; period: Int32Array };
  trainMonths: number;
  studyPoints: { easting: Float64Array; northing: Float64Array };
}

export interface SurfaceCells {
  studyCells: number;
  /** grid cell ids, columns and rows, scores, and training-window counts, in rank order (rank 1 first) */
  cell: number[];
  column: number[];
  row: number[];
  score: number[];
  recent: number[];
}

/** One method's scores for the period after the training window, exactly as the backtest fits it. */
export function forecastScores(method: Method, grid: Grid, study: StudyArea, events: { cell: Int32Array; period: Int32Array }, train: number, eastings: Float64Array, northings: Float64Array): Float64Array {
  const n = study.cells.length;
  const last = train - 1;
  if (method === 'naive-last') return naiveLast(n, events, last);
  if (method === 'naive-all') return naiveAll(n, events, last);
  if (method === 'kde') return kde(grid, study, eastings, northings, { kernel: DEFAULTS.kdeKernel, bandwidth: DEFAULTS.kdeBandwidth });
  if (method === 'prospective') return prospective(grid, study, events, last, { spaceBandwidthCells: DEFAULTS.prospectiveSpaceCells, timeBandwidthPeriods: DEFAULTS.prospectiveTimeMonths });
  if (method === 'peel') return peel(grid, study, events, last).scores;
  const times = Float64Array.from(events.period, (p) => p + 0.5);
  const data = seppDataOf(n, events.cell, times, train);
  return seppExpectedCounts(fitSepp(data), data, train, train + 1);
}

export function computeSurface(input: SurfaceInput): SurfaceCells {
  const grid = makeGrid({ cellSize: input.cellSize });
  const study = studyAreaOf(cellsOf(grid, input.studyPoints.easting, input.studyPoints.northing));
  const index = studyIndexesOf(study, cellsOf(grid, input.event.easting, input.event.northing));
  const picked: number[] = [];
  for (let i = 0; i < index.length; i++) if (index[i]! >= 0) picked.push(i);
  const events = { cell: Int32Array.from(picked, (i) => index[i]!), period: Int32Array.from(picked, (i) => input.event.period[i]!) };
  const eastings = Float64Array.from(picked, (i) => input.event.easting[i]!);
  const northings = Float64Array.from(picked, (i) => input.event.northing[i]!);
  const scores = forecastScores(input.method, grid, study, events, input.trainMonths, eastings, northings);
  const recent = new Float64Array(study.cells.length);
  for (const c of events.cell) recent[c]! += 1;
  const order = Array.from(rankCells(scores));
  return {
    studyCells: study.cells.length,
    cell: order.map((i) => study.cells[i]!),
    column: order.map((i) => cellColumn(grid, study.cells[i]!)),
    row: order.map((i) => cellRow(grid, study.cells[i]!)),
    score: order.map((i) => Math.max(0, scores[i]!)),
    recent: order.map((i) => recent[i]!),
  };
}

export interface AccuracyInput {
  data: BacktestData;
  settings: BacktestSettings;
}

export type ComputeJob = { kind: 'surface'; input: SurfaceInput } | { kind: 'accuracy'; input: AccuracyInput } | { kind: 'patrols'; input: { cells: PatrolCell[]; options: PatrolOptions } };

export function runJob(job: ComputeJob): unknown {
  if (job.kind === 'surface') return computeSurface(job.input);
  if (job.kind === 'patrols') return planPatrols(job.input.cells, job.input.options);
  const report = runBacktest(job.input.data, job.input.settings);
  return { studyCells: report.studyCells, results: report.results.map((r) => ({ method: r.method, seconds: r.seconds, coverage: r.coverage, periods: r.periods.length })) };
}
