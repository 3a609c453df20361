import { planPatrols, type PatrolCell, type PatrolOptions } from '../../lib/forecast/patrols.ts';
import { cellColumn, cellRow, cellsOf, makeGrid, pointIds, studyAreaOf, studyIndexesOf } from '../../lib/forecast/grid.ts';
import { rankCells } from '../../lib/forecast/metrics.ts';
import { methodScores, runBacktest, type BacktestData, type BacktestSettings, type Method } from './service.ts';

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
  /** peel's covariate: the window's located crimes of every other type */
  other?: { easting: Float64Array; northing: Float64Array; period: Int32Array };
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

export function computeSurface(input: SurfaceInput): SurfaceCells {
  const grid = makeGrid({ cellSize: input.cellSize });
  const study = studyAreaOf(cellsOf(grid, input.studyPoints.easting, input.studyPoints.northing));
  const index = studyIndexesOf(study, cellsOf(grid, input.event.easting, input.event.northing));
  const picked: number[] = [];
  for (let i = 0; i < index.length; i++) if (index[i]! >= 0) picked.push(i);
  const [eventPlace, otherPlace] = pointIds(input.event, input.other ?? { easting: [], northing: [] });
  const events = { cell: Int32Array.from(picked, (i) => index[i]!), period: Int32Array.from(picked, (i) => input.event.period[i]!), place: Int32Array.from(picked, (i) => eventPlace![i]!) };
  const eastings = Float64Array.from(picked, (i) => input.event.easting[i]!);
  const northings = Float64Array.from(picked, (i) => input.event.northing[i]!);
  let other: { cell: Int32Array; period: Int32Array; place: Int32Array } | undefined;
  if (input.other) {
    const o = studyIndexesOf(study, cellsOf(grid, input.other.easting, input.other.northing));
    const kept: number[] = [];
    for (let i = 0; i < o.length; i++) if (o[i]! >= 0) kept.push(i);
    other = { cell: Int32Array.from(kept, (i) => o[i]!), period: Int32Array.from(kept, (i) => input.other!.period[i]!), place: Int32Array.from(kept, (i) => otherPlace![i]!) };
  }
  const { scores } = methodScores(input.method, { grid, study, events, eastings, northings, other, trainPeriods: input.trainMonths });
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
